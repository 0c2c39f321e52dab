// Nobody listens on the port.
var s = openSocket(REFUSED + '/t07');
s.on('close', function () { later(100, end); });
