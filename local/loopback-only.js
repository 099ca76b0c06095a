// Preloaded into kinesis-local (`node -r`), which binds 0.0.0.0 with no setting to change it: every
// server it opens listens on 127.0.0.1 only, so a local run never exposes a port beyond loopback.
"use strict";
const net = require("net");
const listen = net.Server.prototype.listen;
net.Server.prototype.listen = function (...args) {
    if (args[0] !== null && typeof args[0] === "object" && !Array.isArray(args[0])) {
        args[0] = { ...args[0], host: "127.0.0.1" };
    } else if (typeof args[0] === "number" || (typeof args[0] === "string" && /^\d+$/.test(args[0]))) {
        if (typeof args[1] === "string" || args[1] === undefined || args[1] === null) args[1] = "127.0.0.1";
        else args.splice(1, 0, "127.0.0.1");
    }
    return listen.apply(this, args);
};
