const greeting = 'hello';
throw new Error('cannot start: ' + greeting);
