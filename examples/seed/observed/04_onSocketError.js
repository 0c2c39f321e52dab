// Seed example 04, unchanged, watched by ../observe.js (see ../README.md).
require('../observe.js');
require('../04_onSocketError.js');
