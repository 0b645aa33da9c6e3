// The Node.js peers of bench/run, one per process:
//   node server.js express-actuator|terminus PORT
'use strict';
const http = require('http');
const express = require('express');

const [, , name, port] = process.argv;
const app = express();
let server;
switch (name) {
  case 'express-actuator': {
    const actuator = require('express-actuator');
    app.use(actuator({ basePath: '/actuator' }));
    server = http.createServer(app);
    break;
  }
  case 'terminus': {
    const { createTerminus } = require('@godaddy/terminus');
    server = http.createServer(app);
    createTerminus(server, { healthChecks: { '/health': async () => {} } });
    break;
  }
  default:
    console.error(`server.js: unknown peer ${name}`);
    process.exit(2);
}
server.listen(Number(port), '127.0.0.1');
