// uni.onSocketOpen with something that is not a function.
try {
  uni.onSocketOpen('x');
  log('onSocketOpen("x") accepted');
} catch (e) {
  log('onSocketOpen("x") threw', e);
}
later(100, end);
