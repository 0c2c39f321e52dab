// Seed example 01, unchanged, watched by ../observe.js (see ../README.md).
require('../observe.js');
require('../01_connectSocket.js');
