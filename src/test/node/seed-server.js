// The seed tutorial's Node.js server (shared/seed/websocket-tutorial.txt, "服务端实现"), kept verbatim
// except where marked CHANGED: it listens on 127.0.0.1 and an OS-chosen port, and prints that port
// as the line "PORT <n>" once listening, for SeedInteropIT to read.
const WebSocket = require('ws');

const wss = new WebSocket.Server({ host: '127.0.0.1', port: 0 }); // CHANGED: was { port: 8080 }

wss.on('connection', ws => {
  console.log('客户端已连接');

  ws.on('message', message => {
    console.log('收到客户端消息:', message);

    // 将消息广播给所有客户端
    wss.clients.forEach(client => {
      if (client !== ws && client.readyState === WebSocket.OPEN) {
        client.send(`客户端说: ${message}`);
      }
    });

    // 可以选择回复客户端
    ws.send(`服务器已收到你的消息: ${message}`);
  });

  ws.on('close', () => {
    console.log('客户端已断开连接');
  });

  ws.on('error', error => {
    console.error('WebSocket 错误:', error);
  });

  // 发送欢迎消息
  ws.send('欢迎来到 WebSocket 服务器!');
});

// CHANGED: was console.log('WebSocket 服务器已启动,监听 8080 端口'); the port is known once listening.
wss.on('listening', () => {
  const port = wss.address().port;
  console.log(`WebSocket 服务器已启动,监听 ${port} 端口`);
  console.log(`PORT ${port}`);
});

// ADDED: never outlive the test that started us (its end of our stdin closes when it exits).
process.stdin.on('end', () => process.exit(0));
process.stdin.resume();
