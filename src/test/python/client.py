# A Python websockets client for PythonInteropIT, shaped like src/test/node/node-client.js:
#
#   /usr/bin/python3 client.py <wss-url> <ca-file> <message> <count> [token]
#
# With a token, it is offered the browser way: Sec-WebSocket-Protocol: bearer, <token>.
# Trusts only <ca-file> (PEM). Prints every message it receives as one line on stdout, sends
# <message> once the first (welcome) message has arrived, and after <count> messages closes with
# 1000 and exits 0 when the close completes. Exit codes: 2 error, 3 closed early, 4 timed out, 64 usage.
import asyncio
import ssl
import sys

import websockets

TIMEOUT_S = 10


def usage():
    print('usage: client.py <wss-url> <ca-file> <message> <count> [token]', file=sys.stderr)
    sys.exit(64)


async def talk(url, ca_file, message, count, token):
    context = ssl.create_default_context(cafile=ca_file)
    subprotocols = ['bearer', token] if token else None
    received = 0
    async with websockets.connect(url, ssl=context, subprotocols=subprotocols) as ws:
        try:
            while received < count:
                data = await ws.recv()
                received += 1
                print(data if isinstance(data, str) else f'binary:{data.hex()}', flush=True)
                if received == 1:
                    await ws.send(message)
        except websockets.ConnectionClosed as closed:
            print(f'closed with {closed.code} {closed.reason} after {received} of {count} messages', file=sys.stderr)
            return 3
        await ws.close(1000, 'done')
        if ws.close_code != 1000:
            print(f'closed with {ws.close_code} {ws.close_reason} after {received} of {count} messages',
                  file=sys.stderr)
            return 3
    return 0


def main():
    args = sys.argv[1:]
    if len(args) not in (4, 5):
        usage()
    url, ca_file, message, count_arg = args[:4]
    token = args[4] if len(args) == 5 else None
    try:
        count = int(count_arg)
    except ValueError:
        usage()
    if count < 1:
        usage()
    sys.stdout.reconfigure(encoding='utf-8')
    try:
        code = asyncio.run(asyncio.wait_for(talk(url, ca_file, message, count, token), TIMEOUT_S))
    except asyncio.TimeoutError:
        print(f'timed out after {TIMEOUT_S} s', file=sys.stderr)
        code = 4
    except websockets.InvalidStatusCode as error:
        print(f'error: server rejected WebSocket connection: HTTP {error.status_code}', file=sys.stderr)
        code = 2
    except Exception as error:  # TLS, refused connection, bad handshake: like the Node client's 'error'
        print(f'error: {type(error).__name__}: {error}', file=sys.stderr)
        code = 2
    sys.exit(code)


if __name__ == '__main__':
    main()
