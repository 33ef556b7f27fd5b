// An express server with a pino logger and a zod schema, listening on 127.0.0.1 on a port the system
// chooses. It sends itself one request (a JSON body the schema validates, one log line for it), prints
// the answer and exits. Plain node and `cordon run --allow-net=127.0.0.1` print the same:
//   node examples/express-app/main.js
//   node dist/cli/main.js run --allow-net=127.0.0.1 examples/express-app/main.js
import http from 'node:http';
import express from 'express';
import pino from 'pino';
import { z } from 'zod';

// No time, pid or hostname in the line, and written at once (pino's default stream writes later, so
// the answer could come first): every run prints the same.
const log = pino({ base: undefined, timestamp: false }, pino.destination({ dest: 1, sync: true }));

const Order = z.object({
  item: z.string().min(1),
  quantity: z.number().int().positive(),
});

const app = express();
app.use(express.json());
app.post('/orders', (request, response) => {
  const parsed = Order.safeParse(request.body);
  if (!parsed.success) {
    log.warn({ issues: parsed.error.issues.length }, 'order refused');
    response.status(400).json({ ok: false, issues: parsed.error.issues.map(issue => issue.path.join('.')) });
    return;
  }
  log.info({ item: parsed.data.item, quantity: parsed.data.quantity }, 'order taken');
  response.json({ ok: true, order: parsed.data });
});

const post = (port, body) =>
  new Promise((resolve, reject) => {
    const text = JSON.stringify(body);
    const request = http.request(
      { host: '127.0.0.1', port, path: '/orders', method: 'POST', headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) } },
      response => {
        let answer = '';
        response.setEncoding('utf8');
        response.on('data', chunk => (answer += chunk));
        response.on('end', () => resolve(`${response.statusCode} ${answer}`));
      },
    );
    request.on('error', reject);
    request.end(text);
  });

const server = app.listen(0, '127.0.0.1', async () => {
  const answer = await post(server.address().port, { item: 'tea', quantity: 2 });
  console.log(answer);
  server.close();
});
