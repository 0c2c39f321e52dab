// Seed example 06, unchanged, watched by ../observe.js (see ../README.md).
require('../observe.js');
require('../06_onSocketMessage.js');
