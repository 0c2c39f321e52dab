// Seed example 02, unchanged, watched by ../observe.js (see ../README.md).
require('../observe.js');
require('../02_connectSocket_task.js');
