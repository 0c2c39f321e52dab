throw new Error('boom at start');
