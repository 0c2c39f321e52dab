// Seed example 07, unchanged, watched by ../observe.js (see ../README.md).
require('../observe.js');
require('../07_onSocketClose.js');
