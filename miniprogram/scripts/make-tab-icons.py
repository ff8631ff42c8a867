#!/usr/bin/env python3
"""Draws the four tab-bar icons (81x81 PNG, grey and WeChat green) with no image library.
Run: python3 miniprogram/scripts/make-tab-icons.py  (writes miniprogram/src/assets/tab/*.png)"""
import math, os, struct, zlib

S = 81
OUT = os.path.join(os.path.dirname(__file__), '..', 'src', 'assets', 'tab')

def seg(px, py, ax, ay, bx, by):
    dx, dy = bx - ax, by - ay
    t = max(0, min(1, ((px - ax) * dx + (py - ay) * dy) / (dx * dx + dy * dy or 1)))
    return math.hypot(px - ax - t * dx, py - ay - t * dy)

def stroke_lines(lines, w):
    return lambda x, y: min(seg(x, y, *l) for l in lines) <= w / 2

def home(x, y):
    lines = [(14, 40, 40.5, 16), (40.5, 16, 67, 40), (22, 34, 22, 66), (59, 34, 59, 66), (22, 66, 59, 66), (34, 66, 34, 50), (47, 66, 47, 50), (34, 50, 47, 50)]
    return stroke_lines(lines, 5)(x, y)

def market(x, y):
    lines = [(14, 68, 68, 68), (22, 60, 22, 46), (34, 60, 34, 34), (46, 60, 46, 40), (58, 60, 58, 22), (18, 36, 32, 24), (32, 24, 44, 30), (44, 30, 62, 14)]
    return stroke_lines(lines, 5)(x, y)

def assets(x, y):
    d = math.hypot(x - 40.5, y - 40.5)
    ring = abs(d - 25) <= 2.6
    lines = [(31, 27, 40.5, 38), (50, 27, 40.5, 38), (40.5, 38, 40.5, 56), (32, 42, 49, 42), (32, 50, 49, 50)]
    return ring or stroke_lines(lines, 4.5)(x, y)

def me(x, y):
    head = abs(math.hypot(x - 40.5, y - 28) - 11) <= 2.6
    # shoulders: upper half of an ellipse
    ex, ey = (x - 40.5) / 24, (y - 68) / 20
    body = y <= 68 and abs(math.hypot(ex, ey) - 1) * 22 <= 2.6
    base = seg(x, y, 16.5, 68, 64.5, 68) <= 2.6
    return head or body or base

def png(path, fn, rgb):
    rows = []
    for j in range(S):
        row = bytearray([0])
        for i in range(S):
            hits = sum(fn(i + (a + 0.5) / 4, j + (b + 0.5) / 4) for a in range(4) for b in range(4))
            row += bytes(rgb) + bytes([int(255 * hits / 16)])
        rows.append(bytes(row))
    raw = zlib.compress(b''.join(rows), 9)
    def chunk(t, d):
        return struct.pack('>I', len(d)) + t + d + struct.pack('>I', zlib.crc32(t + d) & 0xffffffff)
    data = b'\x89PNG\r\n\x1a\n' + chunk(b'IHDR', struct.pack('>IIBBBBB', S, S, 8, 6, 0, 0, 0)) + chunk(b'IDAT', raw) + chunk(b'IEND', b'')
    with open(path, 'wb') as f:
        f.write(data)

os.makedirs(OUT, exist_ok=True)
for name, fn in [('home', home), ('market', market), ('assets', assets), ('me', me)]:
    png(os.path.join(OUT, name + '.png'), fn, (122, 126, 131))
    png(os.path.join(OUT, name + '-on.png'), fn, (7, 193, 96))
print('ok')
