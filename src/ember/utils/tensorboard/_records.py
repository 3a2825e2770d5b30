"""TFRecord framing for TensorBoard event files, with a CRC-32C (Castagnoli) of our own.

A record is ``uint64 length | uint32 masked_crc(length bytes) | data | uint32 masked_crc(data)``,
all little-endian. The CRC is CRC-32C (reflected polynomial 0x82F63B78, init and final xor
0xFFFFFFFF); "masked" rotates it right by 15 bits and adds 0xA282EAD8 (mod 2**32), the
TensorFlow convention so that CRCs of CRCs stay well distributed.

Short inputs go through a byte-at-a-time table loop. Long inputs (encoded PNGs) are cut into
equal chunks whose CRC registers are advanced side by side with NumPy, then chained: the CRC
is linear over GF(2), so ``reg(A + B) = advance(reg(A), len(B)) ^ reg0(B)`` where ``reg0``
starts from zero and ``advance`` (feeding zero bytes) is a fixed 32x32 bit matrix, applied as
four 256-entry byte tables.
"""
import struct

import numpy as np

_POLY = 0x82F63B78
_MASK_DELTA = 0xA282EAD8
_U32 = 0xFFFFFFFF


def _byte_table():
    table = []
    for byte in range(256):
        reg = byte
        for _ in range(8):
            reg = (reg >> 1) ^ _POLY if reg & 1 else reg >> 1
        table.append(reg)
    return table


_TABLE = _byte_table()
_NP_TABLE = np.array(_TABLE, dtype=np.uint32)
_SMALL = 4096          # below this many bytes the plain loop is faster than NumPy set-up
_advance_cache = {}


def _update(reg, data):
    """Feed ``data`` into the raw (unmasked, un-finalised) register ``reg``."""
    table = _TABLE
    for byte in data:
        reg = table[(reg ^ byte) & 0xFF] ^ (reg >> 8)
    return reg


def _advance_tables(nbytes):
    """Four byte tables T0..T3 with advance(r, nbytes) = T0[r&255] ^ T1[r>>8&255] ^ ..."""
    tables = _advance_cache.get(nbytes)
    if tables is None:
        # Advance each of the 32 basis registers through ``nbytes`` zero bytes at once.
        basis = (np.uint32(1) << np.arange(32, dtype=np.uint32)).astype(np.uint32)
        for _ in range(nbytes):
            basis = _NP_TABLE[basis & 0xFF] ^ (basis >> np.uint32(8))
        cols = [int(c) for c in basis]
        tables = []
        for k in range(4):
            tab = [0] * 256
            for value in range(1, 256):
                low = value & -value                    # lowest set bit of this byte
                tab[value] = tab[value ^ low] ^ cols[8 * k + low.bit_length() - 1]
            tables.append(tab)
        _advance_cache[nbytes] = tables
    return tables


def _update_long(reg, data):
    """Same result as ``_update`` for long ``data``, chunk-parallel with NumPy."""
    n = len(data)
    chunk = max(256, int(n ** 0.5) // 64 * 64)
    count = n // chunk
    body = np.frombuffer(data, dtype=np.uint8, count=count * chunk).reshape(count, chunk)
    regs = np.zeros(count, dtype=np.uint32)
    for j in range(chunk):
        regs = _NP_TABLE[(regs ^ body[:, j]) & 0xFF] ^ (regs >> np.uint32(8))
    t0, t1, t2, t3 = _advance_tables(chunk)
    for part in regs.tolist():
        reg = (t0[reg & 0xFF] ^ t1[(reg >> 8) & 0xFF] ^ t2[(reg >> 16) & 0xFF]
               ^ t3[reg >> 24] ^ part)
    return _update(reg, data[count * chunk:])


def crc32c(data):
    """CRC-32C of a bytes-like object, as an unsigned 32-bit int."""
    data = bytes(data)
    if len(data) < _SMALL:
        reg = _update(_U32, data)
    else:
        reg = _update_long(_U32, data)
    return reg ^ _U32


def masked_crc32c(data):
    """TensorFlow's masked CRC-32C of ``data``."""
    crc = crc32c(data)
    return (((crc >> 15) | (crc << 17)) + _MASK_DELTA) & _U32


def frame(data):
    """One TFRecord: header, its CRC, the payload, the payload's CRC."""
    header = struct.pack('<Q', len(data))
    return (header + struct.pack('<I', masked_crc32c(header)) + data
            + struct.pack('<I', masked_crc32c(data)))
