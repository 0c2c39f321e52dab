// Seed example 03, unchanged, watched by ../observe.js (see ../README.md).
require('../observe.js');
require('../03_onSocketOpen.js');
