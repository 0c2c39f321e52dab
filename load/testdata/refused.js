// A server that refuses every handshake.
uni.connectSocket({ url: unisocket.target + '/?status=403', complete() {} });
