// Seed example 05, unchanged, watched by ../observe.js (see ../README.md).
require('../observe.js');
require('../05_sendSocketMessage.js');
