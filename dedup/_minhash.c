/* MinHash signatures of many texts in one call.
 *
 * The compiled form of dedup/fingerprints/fingerprint.py's numpy code, giving the same
 * values bit for bit (the tests hold both to a plain Python definition):
 * every k-byte window of a text's UTF-8 bytes is hashed with a rolling
 * FNV-style product and the splitmix64 finaliser, kept to 32 bits; hash
 * function p maps a window value x to a[p] * x + b[p] (mod 2^64), and the
 * signature holds the high 32 bits of each function's minimum. A text
 * shorter than k bytes has one window, padded with zero bytes.
 *
 * numpy makes a pass over all windows per hash function, with 8-byte
 * temporaries; here each window is taken once and all hash functions are
 * applied to it in vector lanes. x86-64 builds carry three versions of the
 * loop (AVX-512, AVX2, plain) and the loader picks the one the processor
 * runs: on Reuters' 122,029 distinct paragraphs, 0.16 s, 0.35 s and 0.71 s
 * against numpy's 0.83-0.89 s (signing alone, one process). Taking the
 * functions 32 at a time, their minima held in registers over a text's
 * windows, then cut the AVX-512 loop on the 110,221 texts a scan of Reuters
 * signs from 0.155 to 0.103 s (the AVX2 and plain ones gained 4% and 13%).
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <stdint.h>
#include <string.h>


#define ROLL 0x100000001B3ULL
#define MIX1 0xBF58476D1CE4E5B9ULL
#define MIX2 0x94D049BB133111EBULL
#define MAX_PERM 1024

#if defined(__GNUC__) && defined(__x86_64__) && !defined(__clang__)
#define VERSIONS __attribute__((target_clones("arch=x86-64-v4", "avx2", "default")))
#else
#define VERSIONS
#endif

/* The value of every window of one text into x; returns how many there are.
 * Column by column over all windows at once, so the loops run in vector lanes. */
static inline int64_t windows(const unsigned char *d, int64_t len, int k, uint64_t *x)
{
    if (len < k) {
        uint64_t h = 0;
        for (int j = 0; j < k; j++)
            h = h * ROLL + (j < len ? d[j] : 0);
        x[0] = h;
        len = 1;
    } else {
        len = len - k + 1;
        for (int64_t i = 0; i < len; i++)
            x[i] = d[i];
        for (int j = 1; j < k; j++)
            for (int64_t i = 0; i < len; i++)
                x[i] = x[i] * ROLL + d[i + j];
    }
    for (int64_t i = 0; i < len; i++) {
        uint64_t h = x[i];
        h ^= h >> 31;
        h *= MIX1;
        h ^= h >> 29;
        h *= MIX2;
        h ^= h >> 32;
        x[i] = h & 0xFFFFFFFFULL;
    }
    return len;
}

/* Hash functions taken at once: their minima stay in vector registers
 * through all the windows of a text, instead of a load and a store of each
 * per window. */
#define BLOCK 32

/* The minima of BLOCK hash functions over the n windows x, their high
 * halves into row. */
static inline __attribute__((always_inline)) void sign_block(
    const uint64_t *x, int64_t n, const uint64_t *a, const uint64_t *b, uint32_t *row)
{
    uint64_t low[BLOCK];
    for (int q = 0; q < BLOCK; q++)
        low[q] = UINT64_MAX;
    for (int64_t i = 0; i < n; i++) {
        uint64_t v = x[i];
        for (int q = 0; q < BLOCK; q++) {
            uint64_t h = v * a[q] + b[q];
            low[q] = h < low[q] ? h : low[q];
        }
    }
    for (int q = 0; q < BLOCK; q++)
        row[q] = (uint32_t)(low[q] >> 32);
}

/* The signature of one text of len bytes into row (x: room for its windows). */
VERSIONS
static void sign_one(const unsigned char *d, int64_t len, int k, const uint64_t *a,
                     const uint64_t *b, int num_perm, uint32_t *row, uint64_t *x)
{
    uint64_t low[MAX_PERM];
    int whole = num_perm - num_perm % BLOCK;
    int64_t n = windows(d, len, k, x);
    for (int p = 0; p < whole; p += BLOCK)
        sign_block(x, n, a + p, b + p, row + p);
    /* The functions past the last whole block, one pass over the windows. */
    if (whole == num_perm)
        return;
    for (int p = whole; p < num_perm; p++)
        low[p] = UINT64_MAX;
    for (int64_t i = 0; i < n; i++) {
        uint64_t v = x[i];
        for (int p = whole; p < num_perm; p++) {
            uint64_t h = v * a[p] + b[p];
            low[p] = h < low[p] ? h : low[p];
        }
    }
    for (int p = whole; p < num_perm; p++)
        row[p] = (uint32_t)(low[p] >> 32);
}

static void sign(const unsigned char *data, const int64_t *ends, Py_ssize_t count, int k,
                 const uint64_t *a, const uint64_t *b, int num_perm, uint32_t *out,
                 uint64_t *x)
{
    int64_t begin = 0;
    for (Py_ssize_t t = 0; t < count; t++) {
        sign_one(data + begin, ends[t] - begin, k, a, b, num_perm, out + t * num_perm, x);
        begin = ends[t];
    }
}

static PyObject *signatures(PyObject *self, PyObject *args)
{
    Py_buffer data, ends, a, b, out;
    int k;
    if (!PyArg_ParseTuple(args, "y*y*iy*y*w*", &data, &ends, &k, &a, &b, &out))
        return NULL;
    PyObject *result = NULL;
    uint64_t *x = NULL;
    Py_ssize_t count = ends.len / 8, num_perm = a.len / 8;
    if (k < 1 || num_perm < 1 || num_perm > MAX_PERM || ends.len % 8 || a.len % 8
            || b.len != a.len || out.len != count * num_perm * 4) {
        PyErr_SetString(PyExc_ValueError, "signatures: buffers of the wrong size");
        goto done;
    }
    /* The ends must rise and stay inside the data: the loop trusts them. */
    int64_t longest = 1, begin = 0;
    for (Py_ssize_t t = 0; t < count; t++) {
        int64_t end = ((const int64_t *)ends.buf)[t];
        if (end < begin || end > data.len) {
            PyErr_SetString(PyExc_ValueError, "signatures: ends out of order or past the data");
            goto done;
        }
        if (end - begin > longest)
            longest = end - begin;
        begin = end;
    }
    x = PyMem_Malloc((size_t)longest * sizeof(uint64_t));
    if (x == NULL) {
        PyErr_NoMemory();
        goto done;
    }
    Py_BEGIN_ALLOW_THREADS
    sign(data.buf, ends.buf, count, k, a.buf, b.buf, (int)num_perm, out.buf, x);
    Py_END_ALLOW_THREADS
    result = Py_None;
    Py_INCREF(result);
done:
    PyMem_Free(x);
    PyBuffer_Release(&data);
    PyBuffer_Release(&ends);
    PyBuffer_Release(&a);
    PyBuffer_Release(&b);
    PyBuffer_Release(&out);
    return result;
}

/* ---- Signatures of normalised texts as they are ----
 *
 * What fingerprint.compiled_signatures did in Python before each call above:
 * each text cut to max_chars characters, its thousands separators dropped
 * (a comma with a decimal digit before it and three after it, in the cut
 * text: what the regex ",(?<=\d,)(?=\d{3})" matches, \d being any decimal
 * digit), encoded as UTF-8 by Python. An ASCII text without a separator is
 * read in place.
 * A text holding a lone surrogate, which UTF-8 cannot encode, makes it
 * return False at once: the caller's Python path then fails on it as it
 * always has.
 */

static int decimal_at(int kind, const void *data, Py_ssize_t i)
{
    return Py_UNICODE_ISDECIMAL(PyUnicode_READ(kind, data, i));
}

static int separator_at(int kind, const void *data, Py_ssize_t i, Py_ssize_t n)
{
    return i >= 1 && i + 3 < n && decimal_at(kind, data, i - 1) && decimal_at(kind, data, i + 1)
           && decimal_at(kind, data, i + 2) && decimal_at(kind, data, i + 3);
}

static int has_separator(int kind, const void *data, Py_ssize_t n)
{
    for (Py_ssize_t i = 0; i < n; i++)
        if (PyUnicode_READ(kind, data, i) == ',' && separator_at(kind, data, i, n))
            return 1;
    return 0;
}

/* text[:n] without its separators, as UTF-8 bytes encoded by Python (a new
 * reference), or NULL with an exception set (UnicodeEncodeError at a lone
 * surrogate). */
static PyObject *prepared(PyObject *text, Py_ssize_t n)
{
    int kind = PyUnicode_KIND(text);
    const void *data = PyUnicode_DATA(text);
    PyObject *cut;
    if (has_separator(kind, data, n)) {
        Py_UCS4 *kept = PyMem_Malloc((size_t)n * sizeof(Py_UCS4));
        if (kept == NULL)
            return PyErr_NoMemory();
        Py_ssize_t used = 0;
        for (Py_ssize_t i = 0; i < n; i++) {
            Py_UCS4 c = PyUnicode_READ(kind, data, i);
            if (!(c == ',' && separator_at(kind, data, i, n)))
                kept[used++] = c;
        }
        cut = PyUnicode_FromKindAndData(PyUnicode_4BYTE_KIND, kept, used);
        PyMem_Free(kept);
    } else {
        cut = PyUnicode_Substring(text, 0, n);
    }
    if (cut == NULL)
        return NULL;
    PyObject *bytes = PyUnicode_AsUTF8String(cut);
    Py_DECREF(cut);
    return bytes;
}

static int grow(void **buffer, Py_ssize_t *size, Py_ssize_t needed)
{
    if (needed <= *size)
        return 0;
    void *bigger = PyMem_Realloc(*buffer, (size_t)needed);
    if (bigger == NULL) {
        PyErr_NoMemory();
        return -1;
    }
    *buffer = bigger;
    *size = needed;
    return 0;
}

static PyObject *text_signatures(PyObject *self, PyObject *args)
{
    PyObject *texts;
    Py_buffer a, b, out;
    int k;
    Py_ssize_t max_chars;
    if (!PyArg_ParseTuple(args, "O!iy*y*w*n", &PyList_Type, &texts, &k, &a, &b, &out,
                          &max_chars))
        return NULL;
    PyObject *result = NULL;
    void *x = NULL;
    Py_ssize_t x_size = 0;
    Py_ssize_t count = PyList_GET_SIZE(texts), num_perm = a.len / 8;
    if (k < 1 || max_chars < 0 || num_perm < 1 || num_perm > MAX_PERM || a.len % 8
            || b.len != a.len || out.len != count * num_perm * 4) {
        PyErr_SetString(PyExc_ValueError, "text_signatures: buffers of the wrong size");
        goto done;
    }
    for (Py_ssize_t t = 0; t < count; t++) {
        PyObject *text = PyList_GET_ITEM(texts, t);
        if (!PyUnicode_Check(text)) {
            PyErr_SetString(PyExc_TypeError, "text_signatures: texts must be str");
            goto done;
        }
        Py_ssize_t n = PyUnicode_GET_LENGTH(text);
        if (n > max_chars)
            n = max_chars;
        const unsigned char *bytes;
        Py_ssize_t len;
        PyObject *encoded = NULL;
        if (PyUnicode_IS_ASCII(text)
                && (memchr(PyUnicode_DATA(text), ',', (size_t)n) == NULL
                    || !has_separator(PyUnicode_1BYTE_KIND, PyUnicode_DATA(text), n))) {
            bytes = PyUnicode_DATA(text);
            len = n;
        } else {
            encoded = prepared(text, n);
            if (encoded == NULL) {
                if (!PyErr_ExceptionMatches(PyExc_UnicodeEncodeError))
                    goto done;
                PyErr_Clear();
                result = Py_False;
                Py_INCREF(result);
                goto done;
            }
            bytes = (const unsigned char *)PyBytes_AS_STRING(encoded);
            len = PyBytes_GET_SIZE(encoded);
        }
        if (grow(&x, &x_size, (len > k ? len - k + 1 : 1) * (Py_ssize_t)sizeof(uint64_t)) < 0) {
            Py_XDECREF(encoded);
            goto done;
        }
        sign_one(bytes, len, k, a.buf, b.buf, (int)num_perm,
                 (uint32_t *)out.buf + t * num_perm, x);
        Py_XDECREF(encoded);
    }
    result = Py_True;
    Py_INCREF(result);
done:
    PyMem_Free(x);
    PyBuffer_Release(&a);
    PyBuffer_Release(&b);
    PyBuffer_Release(&out);
    return result;
}

/* ---- Candidate pairs from LSH bucket keys (see dedup/fingerprints/candidates.py) ----
 *
 * Every non-zero key of keys[n * width] names a bucket; the member behind
 * position q is q / width. The entries are spread by the high bits of their
 * key into parts of a dozen or so (the keys are hashes, so evenly), each
 * part is sorted by key then member, and every run of equal keys is a
 * bucket. Its distinct members are paired as candidates.bucket_pairs pairs
 * them: all with all up to max_bucket members, else each with its
 * max_bucket predecessors and with the first max_bucket. Pairs come out as
 * codes i * n + j (i < j), in no order and possibly repeated.
 */

typedef struct {
    uint64_t key;
    int64_t member;
} Entry;

typedef struct {
    int64_t *codes;
    Py_ssize_t used, size;
} Codes;

static int push(Codes *c, int64_t code)
{
    if (c->used == c->size) {
        Py_ssize_t size = c->size ? 2 * c->size : 4096;
        int64_t *grown = realloc(c->codes, (size_t)size * sizeof(int64_t));
        if (grown == NULL)
            return -1;
        c->codes = grown;
        c->size = size;
    }
    c->codes[c->used++] = code;
    return 0;
}

static int entry_order(const void *x, const void *y)
{
    const Entry *a = x, *b = y;
    if (a->key != b->key)
        return a->key < b->key ? -1 : 1;
    return (a->member > b->member) - (a->member < b->member);
}

static void sort_part(Entry *e, int64_t len)
{
    if (len > 32) {
        qsort(e, (size_t)len, sizeof(Entry), entry_order);
        return;
    }
    for (int64_t i = 1; i < len; i++) {
        Entry v = e[i];
        int64_t j = i;
        while (j > 0 && entry_order(&e[j - 1], &v) > 0) {
            e[j] = e[j - 1];
            j--;
        }
        e[j] = v;
    }
}

/* The pairs of one bucket; u holds its members sorted, repeats removed in place. */
static int pair_bucket(int64_t *u, int64_t len, int64_t max_bucket, int64_t n, Codes *out)
{
    int64_t m = 0;
    for (int64_t i = 0; i < len; i++)
        if (m == 0 || u[i] != u[m - 1])
            u[m++] = u[i];
    if (m <= max_bucket) {
        for (int64_t i = 0; i < m; i++)
            for (int64_t j = i + 1; j < m; j++)
                if (push(out, u[i] * n + u[j]) < 0)
                    return -1;
        return 0;
    }
    for (int64_t j = 1; j < m; j++) {
        int64_t first = j > max_bucket ? j - max_bucket : 0;
        for (int64_t i = first; i < j; i++)
            if (push(out, u[i] * n + u[j]) < 0)
                return -1;
        if (first > 0)      /* and with the bucket's first members */
            for (int64_t i = 0; i < max_bucket && i < first; i++)
                if (push(out, u[i] * n + u[j]) < 0)
                    return -1;
    }
    return 0;
}

static int bucket(const uint64_t *keys, int64_t total, int64_t width, int64_t max_bucket,
                  Codes *out)
{
    int64_t n = total / width, m = 0;
    for (int64_t q = 0; q < total; q++)
        m += keys[q] != 0;
    int bits = 8;
    while (bits < 24 && ((int64_t)1 << bits) * 12 < m)
        bits++;
    int64_t parts = (int64_t)1 << bits;
    int64_t *start = calloc((size_t)parts + 1, sizeof(int64_t));
    Entry *e = malloc((size_t)(m ? m : 1) * sizeof(Entry));
    int64_t *members = NULL;
    int failed = start == NULL || e == NULL;
    if (failed)
        goto done;
    for (int64_t q = 0; q < total; q++)
        if (keys[q])
            start[(keys[q] >> (64 - bits)) + 1]++;
    for (int64_t p = 0; p < parts; p++)
        start[p + 1] += start[p];
    for (int64_t q = 0; q < total; q++)
        if (keys[q]) {
            int64_t at = start[keys[q] >> (64 - bits)]++;
            e[at].key = keys[q];
            e[at].member = q / width;
        }
    /* start[p] is now where part p + 1 begins. */
    int64_t longest = 0, begin = 0;
    for (int64_t p = 0; p < parts; p++) {
        sort_part(e + begin, start[p] - begin);
        if (start[p] - begin > longest)
            longest = start[p] - begin;
        begin = start[p];
    }
    members = malloc((size_t)(longest ? longest : 1) * sizeof(int64_t));
    if (members == NULL) {
        failed = 1;
        goto done;
    }
    for (int64_t i = 0; i < m;) {
        int64_t j = i + 1;
        while (j < m && e[j].key == e[i].key)
            j++;
        if (j - i > 1) {
            for (int64_t t = i; t < j; t++)
                members[t - i] = e[t].member;
            if (pair_bucket(members, j - i, max_bucket, n, out) < 0) {
                failed = 1;
                goto done;
            }
        }
        i = j;
    }
done:
    free(start);
    free(e);
    free(members);
    return failed ? -1 : 0;
}

static PyObject *bucket_codes(PyObject *self, PyObject *args)
{
    Py_buffer keys;
    Py_ssize_t width, max_bucket;
    if (!PyArg_ParseTuple(args, "y*nn", &keys, &width, &max_bucket))
        return NULL;
    PyObject *result = NULL;
    Codes out = {NULL, 0, 0};
    if (width < 1 || max_bucket < 1 || keys.len % (8 * width)) {
        PyErr_SetString(PyExc_ValueError, "bucket_codes: keys of the wrong size");
        goto done;
    }
    int failed;
    Py_BEGIN_ALLOW_THREADS
    failed = bucket(keys.buf, keys.len / 8, width, max_bucket, &out);
    Py_END_ALLOW_THREADS
    if (failed)
        PyErr_NoMemory();
    else
        result = PyBytes_FromStringAndSize((const char *)out.codes,
                                           out.used * (Py_ssize_t)sizeof(int64_t));
done:
    free(out.codes);
    PyBuffer_Release(&keys);
    return result;
}

/* ---- LSH band keys (see dedup/fingerprints/fingerprint.py band_keys) ----
 *
 * Band b of a signature folds its rows r in order: k ^= row; k *= MIX1;
 * k ^= k >> 31, from k = 0; the key is then xored with salts[b]. Written
 * to out[t * width + b] for every signature t. */
static PyObject *band_keys(PyObject *self, PyObject *args)
{
    Py_buffer sigs, salts, out;
    Py_ssize_t num_perm, bands, rows, width;
    if (!PyArg_ParseTuple(args, "y*nnny*w*n", &sigs, &num_perm, &bands, &rows, &salts, &out,
                          &width))
        return NULL;
    PyObject *result = NULL;
    Py_ssize_t count = num_perm > 0 ? sigs.len / (4 * num_perm) : 0;
    if (num_perm < 1 || bands < 1 || rows < 1 || bands * rows > num_perm || width < bands
            || sigs.len != count * num_perm * 4 || salts.len != bands * 8
            || out.len != count * width * 8) {
        PyErr_SetString(PyExc_ValueError, "band_keys: buffers of the wrong size");
        goto done;
    }
    const uint32_t *s = sigs.buf;
    const uint64_t *salt = salts.buf;
    uint64_t *o = out.buf;
    Py_BEGIN_ALLOW_THREADS
    for (Py_ssize_t t = 0; t < count; t++) {
        const uint32_t *row = s + t * num_perm;
        for (Py_ssize_t b = 0; b < bands; b++) {
            uint64_t k = 0;
            for (Py_ssize_t r = 0; r < rows; r++) {
                k ^= row[b * rows + r];
                k *= MIX1;
                k ^= k >> 31;
            }
            o[t * width + b] = k ^ salt[b];
        }
    }
    Py_END_ALLOW_THREADS
    result = Py_None;
    Py_INCREF(result);
done:
    PyBuffer_Release(&sigs);
    PyBuffer_Release(&salts);
    PyBuffer_Release(&out);
    return result;
}

/* ---- The nearest kept paragraphs (see dedup.decisions.detect.nearest_kept) ----
 *
 * For every position i: the last kept position before it and the first
 * kept one after it, -1 where that lies outside i's file (first_of[i] ..
 * last_of[i]) or there is none. Kept: twin_of[i] < 0. Two passes where
 * numpy made a dozen over the whole corpus for each of the short-line
 * rule's snapshots. */
static PyObject *nearest_kept(PyObject *self, PyObject *args)
{
    Py_buffer twin, first, last, before, after;
    if (!PyArg_ParseTuple(args, "y*y*y*w*w*", &twin, &first, &last, &before, &after))
        return NULL;
    PyObject *result = NULL;
    Py_ssize_t n = twin.len / 8;
    if (twin.len % 8 || first.len != twin.len || last.len != twin.len
            || before.len != twin.len || after.len != twin.len) {
        PyErr_SetString(PyExc_ValueError, "nearest_kept: arrays of different lengths");
        goto done;
    }
    const int64_t *t = twin.buf, *lo = first.buf, *hi = last.buf;
    int64_t *b = before.buf, *a = after.buf;
    int64_t seen = -1;
    for (Py_ssize_t i = 0; i < n; i++) {
        b[i] = seen >= lo[i] ? seen : -1;
        if (t[i] < 0)
            seen = i;
    }
    seen = n;
    for (Py_ssize_t i = n - 1; i >= 0; i--) {
        a[i] = seen <= hi[i] ? seen : -1;
        if (t[i] < 0)
            seen = i;
    }
    result = Py_None;
    Py_INCREF(result);
done:
    PyBuffer_Release(&twin);
    PyBuffer_Release(&first);
    PyBuffer_Release(&last);
    PyBuffer_Release(&before);
    PyBuffer_Release(&after);
    return result;
}

static PyMethodDef methods[] = {
    {"signatures", signatures, METH_VARARGS,
     "signatures(data, ends, k, a, b, out): the MinHash signature of each text\n"
     "data[ends[t-1]:ends[t]] (int64 ends), hash functions a, b (uint64), into\n"
     "out (uint32, one row of len(a) values per text)."},
    {"text_signatures", text_signatures, METH_VARARGS,
     "text_signatures(texts, k, a, b, out, max_chars): the MinHash signature of\n"
     "each str of the list texts as dedup.fingerprints.fingerprint signs it (cut to max_chars\n"
     "characters, thousands separators dropped, UTF-8) into out; False when a\n"
     "text holds a lone surrogate (the caller then signs them another way)."},
    {"band_keys", band_keys, METH_VARARGS,
     "band_keys(sigs, num_perm, bands, rows, salts, out, width): the band keys of\n"
     "uint32 signatures, xored with uint64 salts, into columns 0..bands-1 of\n"
     "out (uint64, width values a signature)."},
    {"nearest_kept", nearest_kept, METH_VARARGS,
     "nearest_kept(twin_of, first_of, last_of, before, after): int64 arrays; see\n"
     "dedup.detect.nearest_kept."},
    {"bucket_codes", bucket_codes, METH_VARARGS,
     "bucket_codes(keys, width, max_bucket): bytes of int64 codes i * n + j\n"
     "(i < j) of the candidate pairs of uint64 keys, width a paragraph; see\n"
     "dedup.candidates."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, "_minhash",
                                    "MinHash signatures and LSH buckets, compiled "
                                    "(see dedup.fingerprints.fingerprint).",
                                    -1, methods};

PyMODINIT_FUNC PyInit__minhash(void)
{
    return PyModule_Create(&module);
}
