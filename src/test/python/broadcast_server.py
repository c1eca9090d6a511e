# A Python websockets server for PythonInteropIT that behaves like the seed tutorial's broadcast
# server (src/test/node/seed-server.js), with the same texts:
#
#   /usr/bin/python3 broadcast_server.py
#
# Listens on 127.0.0.1 and an OS-chosen port and prints "PORT <n>" once listening. On connect it
# sends the welcome; each message M goes to every other client as "客户端说: M" and back to the
# sender as "服务器已收到你的消息: M". Exits when its stdin closes (the test that started it ended).
import asyncio
import sys

import websockets

clients = set()


async def handler(ws, path=None):  # websockets 10.x passes the path; newer versions do not
    clients.add(ws)
    print('客户端已连接', flush=True)
    try:
        await ws.send('欢迎来到 WebSocket 服务器!')
        async for message in ws:
            print('收到客户端消息:', message, flush=True)
            for client in list(clients):
                if client is not ws and client.open:
                    await client.send(f'客户端说: {message}')
            await ws.send(f'服务器已收到你的消息: {message}')
    except websockets.ConnectionClosed:
        pass
    finally:
        clients.discard(ws)
        print('客户端已断开连接', flush=True)


async def stdin_closed():
    loop = asyncio.get_running_loop()
    await loop.run_in_executor(None, sys.stdin.buffer.read)


async def main():
    async with websockets.serve(handler, '127.0.0.1', 0) as server:
        port = server.sockets[0].getsockname()[1]
        print(f'WebSocket 服务器已启动,监听 {port} 端口', flush=True)
        print(f'PORT {port}', flush=True)
        await stdin_closed()


if __name__ == '__main__':
    sys.stdout.reconfigure(encoding='utf-8')
    asyncio.run(main())
    # The executor thread reading stdin has returned; nothing else keeps us alive.
