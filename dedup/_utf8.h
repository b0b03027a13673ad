/* One code point as UTF-8, shared by dedup/_minhash.c and dedup/_text.c:
 * both hash texts' UTF-8 bytes and build them from the string's code
 * points rather than asking Python to encode each text. */
#ifndef DEDUP_UTF8_H
#define DEDUP_UTF8_H

#include <Python.h>

/* Writes c at out[used] (room for 4 bytes) and returns the new count, or
 * -1 for a surrogate when strict; otherwise a surrogate is written as any
 * other code point, as Python's "surrogatepass" does. */
static inline Py_ssize_t utf8_put(Py_UCS4 c, unsigned char *out, Py_ssize_t used, int strict)
{
    if (c < 0x80) {
        out[used++] = (unsigned char)c;
    } else if (c < 0x800) {
        out[used++] = (unsigned char)(0xC0 | (c >> 6));
        out[used++] = (unsigned char)(0x80 | (c & 0x3F));
    } else if (c < 0x10000) {
        if (strict && c >= 0xD800 && c <= 0xDFFF)
            return -1;
        out[used++] = (unsigned char)(0xE0 | (c >> 12));
        out[used++] = (unsigned char)(0x80 | ((c >> 6) & 0x3F));
        out[used++] = (unsigned char)(0x80 | (c & 0x3F));
    } else {
        out[used++] = (unsigned char)(0xF0 | (c >> 18));
        out[used++] = (unsigned char)(0x80 | ((c >> 12) & 0x3F));
        out[used++] = (unsigned char)(0x80 | ((c >> 6) & 0x3F));
        out[used++] = (unsigned char)(0x80 | (c & 0x3F));
    }
    return used;
}

#endif
