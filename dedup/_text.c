/* Text helpers: a document's paragraph texts, whitespace runs squeezed to
 * one space, the quote and dash table, where NFKC has work, paragraph
 * facts, and the starts of possibly truncated pairs.
 *
 * The compiled forms of dedup/input/documents.py's split_lines + paragraph_spans +
 * paragraph_text and of dedup/text/normalize.py's " ".join(text.split()), which
 * stay as the fallback where this module was not built and as the reference
 * the tests hold it to. A scan reads every file through the first and
 * normalises every paragraph through the second; in Python they made a
 * list of line or word objects only to join them again (Reuters and the
 * mix together, one process: 0.42 -> 0.13 s and 0.34 -> 0.14 s).
 *
 * Normalising a batch that holds characters beyond ASCII also takes two
 * passes from here: the quote and dash table applied at once, and the runs
 * of such characters that NFKC and case folding have work in.
 *
 * Also per-text loops of detection: the facts the decisions read of
 * every paragraph (dedup.text.facts.Facts.of), the sentences of each paragraph,
 * and the shorter text and the longer one's start of each pair that may be
 * a truncated copy (dedup.decisions.detect.pair_scores). Their Python forms are kept
 * the same way. Hashing is left to hashlib.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <string.h>
#include <stdint.h>

/* Lines and paragraphs of a document, as dedup.input.documents.split_lines and
 * paragraph_spans find them: lines end at CR LF, CR or LF; a line is blank
 * when it holds only whitespace (str.isspace); paragraphs are runs of
 * non-blank lines, or, when no blank line stands between the first and the
 * last non-blank line, one paragraph per line. */
typedef struct {
    Py_ssize_t *start;          /* per line: where it starts in the text */
    Py_ssize_t *stop;           /* per line: where its content ends (before the ending) */
    char *blank;
    Py_ssize_t lines;           /* number of lines */
    Py_ssize_t paragraphs;      /* number of paragraphs */
    Py_ssize_t *first, *last;   /* per paragraph: its first and last line */
} Layout;

static void layout_free(Layout *l)
{
    PyMem_Free(l->start);
    PyMem_Free(l->stop);
    PyMem_Free(l->blank);
    PyMem_Free(l->first);
    PyMem_Free(l->last);
}

/* Room for ``room`` lines (the arrays grow as lines are found: a file is
 * not held to one line per character). */
static int grow(Layout *l, Py_ssize_t room)
{
    Py_ssize_t *start = PyMem_Realloc(l->start, room * sizeof(Py_ssize_t));
    if (start != NULL)
        l->start = start;
    Py_ssize_t *stop = PyMem_Realloc(l->stop, room * sizeof(Py_ssize_t));
    if (stop != NULL)
        l->stop = stop;
    char *blank = PyMem_Realloc(l->blank, room);
    if (blank != NULL)
        l->blank = blank;
    if (start == NULL || stop == NULL || blank == NULL) {
        PyErr_NoMemory();
        return -1;
    }
    return 0;
}

static int layout_of(PyObject *text, Layout *l)
{
    memset(l, 0, sizeof(*l));
    if (!PyUnicode_Check(text)) {
        PyErr_SetString(PyExc_TypeError, "a str is needed");
        return -1;
    }
    Py_ssize_t n = PyUnicode_GET_LENGTH(text);
    int kind = PyUnicode_KIND(text);
    const void *data = PyUnicode_DATA(text);
    Py_ssize_t i = 0, count = 0, content = 0, room = 0;
    while (i < n) {
        if (count == room && grow(l, room = room ? 2 * room : 64) < 0)
            return -1;
        Py_ssize_t j = i;
        int empty = 1;
        while (j < n) {
            Py_UCS4 c = PyUnicode_READ(kind, data, j);
            if (c == '\r' || c == '\n')
                break;
            if (empty && !Py_UNICODE_ISSPACE(c))
                empty = 0;
            j++;
        }
        l->start[count] = i;
        l->stop[count] = j;
        l->blank[count] = (char)empty;
        content += !empty;
        count++;
        if (j < n) {
            if (PyUnicode_READ(kind, data, j) == '\r' && j + 1 < n
                    && PyUnicode_READ(kind, data, j + 1) == '\n')
                j += 2;
            else
                j += 1;
        }
        i = j;
    }
    l->first = PyMem_Malloc((content ? content : 1) * sizeof(Py_ssize_t));
    l->last = PyMem_Malloc((content ? content : 1) * sizeof(Py_ssize_t));
    if (!l->first || !l->last) {
        PyErr_NoMemory();
        return -1;
    }
    Py_ssize_t first = -1, last = -1;
    int gap = 0;
    for (Py_ssize_t k = 0; k < count; k++) {
        if (!l->blank[k]) {
            if (first < 0)
                first = k;
            else if (k != last + 1)
                gap = 1;
            last = k;
        }
    }
    Py_ssize_t made = 0;
    Py_ssize_t k = first;
    while (first >= 0 && k <= last) {
        Py_ssize_t end = k;
        if (gap)
            while (end + 1 <= last && !l->blank[end + 1])
                end++;
        l->first[made] = k;
        l->last[made] = end;
        made++;
        k = end + 1;
        while (k <= last && l->blank[k])
            k++;
    }
    l->lines = count;
    l->paragraphs = made;
    return 0;
}

/* One item per paragraph: as TEXTS, its text, from its first line's start
 * to its last line's end, without that line's ending; as SPANS, its (first
 * line, line after its last), 0-based, as
 * dedup.input.documents.paragraph_spans(split_lines(text)) gives them; as BOUNDS,
 * (where its first line starts, where the line after its last starts or the
 * text ends), in characters. */
enum { TEXTS, SPANS, BOUNDS };

static PyObject *per_paragraph(PyObject *text, int what)
{
    Layout l;
    PyObject *out = NULL;
    if (layout_of(text, &l) < 0)
        goto done;
    out = PyList_New(l.paragraphs);
    if (out == NULL)
        goto done;
    for (Py_ssize_t p = 0; p < l.paragraphs; p++) {
        Py_ssize_t after = l.last[p] + 1;
        PyObject *item
            = what == SPANS ? Py_BuildValue("(nn)", l.first[p], after)
            : what == BOUNDS ? Py_BuildValue("(nn)", l.start[l.first[p]],
                                             after < l.lines ? l.start[after]
                                                             : PyUnicode_GET_LENGTH(text))
            : PyUnicode_Substring(text, l.start[l.first[p]], l.stop[l.last[p]]);
        if (item == NULL) {
            Py_CLEAR(out);
            goto done;
        }
        PyList_SET_ITEM(out, p, item);
    }
done:
    layout_free(&l);
    return out;
}

static PyObject *paragraph_texts(PyObject *self, PyObject *text)
{
    return per_paragraph(text, TEXTS);
}

static PyObject *paragraph_spans(PyObject *self, PyObject *text)
{
    return per_paragraph(text, SPANS);
}

static PyObject *paragraph_bounds(PyObject *self, PyObject *text)
{
    return per_paragraph(text, BOUNDS);
}

/* " ".join(text.split()): whitespace runs (str.isspace) made one space, none
 * at either end. One loop per character width, so each is a plain loop. */
#define SQUEEZE(TYPE)                                                   \
    {                                                                   \
        const TYPE *in = (const TYPE *)data;                            \
        TYPE *out = (TYPE *)buffer;                                     \
        for (Py_ssize_t i = 0; i < n; i++) {                            \
            Py_UCS4 c = in[i];                                          \
            if (Py_UNICODE_ISSPACE(c)) {                                \
                pending = o > 0;                                        \
                continue;                                               \
            }                                                           \
            if (pending) {                                              \
                out[o++] = ' ';                                         \
                pending = 0;                                            \
            }                                                           \
            out[o++] = (TYPE)c;                                         \
        }                                                               \
    }

static PyObject *squeezed(PyObject *self, PyObject *text)
{
    if (!PyUnicode_Check(text)) {
        PyErr_SetString(PyExc_TypeError, "squeezed: a str is needed");
        return NULL;
    }
    Py_ssize_t n = PyUnicode_GET_LENGTH(text);
    int kind = PyUnicode_KIND(text);
    const void *data = PyUnicode_DATA(text);
    void *buffer = PyMem_Malloc(n ? n * kind : 1);
    if (buffer == NULL)
        return PyErr_NoMemory();
    Py_ssize_t o = 0;
    int pending = 0;
    if (kind == PyUnicode_1BYTE_KIND)
        SQUEEZE(Py_UCS1)
    else if (kind == PyUnicode_2BYTE_KIND)
        SQUEEZE(Py_UCS2)
    else
        SQUEEZE(Py_UCS4)
    PyObject *out = PyUnicode_FromKindAndData(kind, buffer, o);
    PyMem_Free(buffer);
    return out;
}

/* What dedup.text.facts.Facts.of reads of each paragraph but its key: length and
 * words (spaces + 1) of the normalised text, whether that holds a digit
 * (str.isdigit of any character), and whether the original text is in
 * capitals (str.isupper: a cased character, and none lower or title case).
 * Into the arrays given: int32, int32, bool, bool, one value a paragraph. */
static int is_upper(PyObject *text)
{
    Py_ssize_t n = PyUnicode_GET_LENGTH(text);
    int kind = PyUnicode_KIND(text), cased = 0;
    const void *data = PyUnicode_DATA(text);
    for (Py_ssize_t i = 0; i < n; i++) {
        Py_UCS4 c = PyUnicode_READ(kind, data, i);
        if (Py_UNICODE_ISLOWER(c) || Py_UNICODE_ISTITLE(c))
            return 0;
        cased |= Py_UNICODE_ISUPPER(c);
    }
    return cased;
}

static PyObject *facts(PyObject *self, PyObject *args)
{
    PyObject *norms, *texts;
    Py_buffer length, words, digit, upper;
    if (!PyArg_ParseTuple(args, "O!O!w*w*w*w*", &PyList_Type, &norms, &PyList_Type, &texts,
                          &length, &words, &digit, &upper))
        return NULL;
    PyObject *result = NULL;
    Py_ssize_t n = PyList_GET_SIZE(norms);
    if (PyList_GET_SIZE(texts) != n || length.len != n * 4 || words.len != n * 4
            || digit.len != n || upper.len != n) {
        PyErr_SetString(PyExc_ValueError, "facts: lists or arrays of different lengths");
        goto done;
    }
    for (Py_ssize_t t = 0; t < n; t++) {
        PyObject *norm = PyList_GET_ITEM(norms, t), *text = PyList_GET_ITEM(texts, t);
        if (!PyUnicode_Check(norm) || !PyUnicode_Check(text)) {
            PyErr_SetString(PyExc_TypeError, "facts: lists of str are needed");
            goto done;
        }
        Py_ssize_t len = PyUnicode_GET_LENGTH(norm);
        int kind = PyUnicode_KIND(norm);
        const void *data = PyUnicode_DATA(norm);
        int32_t spaces = 0;
        char has_digit = 0;
        for (Py_ssize_t i = 0; i < len; i++) {
            Py_UCS4 c = PyUnicode_READ(kind, data, i);
            spaces += c == ' ';
            if (!has_digit)
                has_digit = c < 128 ? (c >= '0' && c <= '9') : Py_UNICODE_ISDIGIT(c) != 0;
        }
        ((int32_t *)length.buf)[t] = (int32_t)len;
        ((int32_t *)words.buf)[t] = len ? spaces + 1 : 0;
        ((char *)digit.buf)[t] = has_digit;
        ((char *)upper.buf)[t] = (char)is_upper(text);
    }
    result = Py_None;
    Py_INCREF(result);
done:
    PyBuffer_Release(&length);
    PyBuffer_Release(&words);
    PyBuffer_Release(&digit);
    PyBuffer_Release(&upper);
    return result;
}

/* For the pairs k in cut of two lists of texts: the shorter text of each, and
 * the start of the longer one cut to its length (the first is the shorter
 * when it is strictly shorter). */
static PyObject *shorter_and_starts(PyObject *self, PyObject *args)
{
    PyObject *first, *second, *cut;
    if (!PyArg_ParseTuple(args, "O!O!O!", &PyList_Type, &first, &PyList_Type, &second,
                          &PyList_Type, &cut))
        return NULL;
    Py_ssize_t m = PyList_GET_SIZE(cut), n = PyList_GET_SIZE(first);
    if (PyList_GET_SIZE(second) != n) {
        PyErr_SetString(PyExc_ValueError, "shorter_and_starts: lists of different lengths");
        return NULL;
    }
    PyObject *shorter = PyList_New(m), *starts = PyList_New(m);
    if (shorter == NULL || starts == NULL)
        goto failed;
    for (Py_ssize_t i = 0; i < m; i++) {
        Py_ssize_t k = PyLong_AsSsize_t(PyList_GET_ITEM(cut, i));
        if (k == -1 && PyErr_Occurred())
            goto failed;
        if (k < 0 || k >= n) {
            PyErr_SetString(PyExc_IndexError, "shorter_and_starts: pair out of range");
            goto failed;
        }
        PyObject *a = PyList_GET_ITEM(first, k), *b = PyList_GET_ITEM(second, k);
        if (!PyUnicode_Check(a) || !PyUnicode_Check(b)) {
            PyErr_SetString(PyExc_TypeError, "shorter_and_starts: lists of str are needed");
            goto failed;
        }
        int a_short = PyUnicode_GET_LENGTH(a) < PyUnicode_GET_LENGTH(b);
        PyObject *s = a_short ? a : b, *l = a_short ? b : a;
        PyObject *start = PyUnicode_Substring(l, 0, PyUnicode_GET_LENGTH(s));
        if (start == NULL)
            goto failed;
        Py_INCREF(s);
        PyList_SET_ITEM(shorter, i, s);
        PyList_SET_ITEM(starts, i, start);
    }
    PyObject *out = PyTuple_Pack(2, shorter, starts);
    Py_DECREF(shorter);
    Py_DECREF(starts);
    return out;
failed:
    Py_XDECREF(shorter);
    Py_XDECREF(starts);
    return NULL;
}

/* text.translate() for a table of single characters: keys[i] becomes
 * values[i], a character of ``dropped`` goes. One pass (str.translate
 * takes its slow path, character by character through a dict, as soon as
 * a batch holds one character that is not ASCII); the text itself when
 * nothing in it is in the table. Every table character is in the BMP. */
static PyObject *translated(PyObject *self, PyObject *args)
{
    PyObject *text, *keys, *values, *dropped;
    if (!PyArg_ParseTuple(args, "UUUU", &text, &keys, &values, &dropped))
        return NULL;
    Py_ssize_t nk = PyUnicode_GET_LENGTH(keys), nd = PyUnicode_GET_LENGTH(dropped);
    if (PyUnicode_GET_LENGTH(values) != nk) {
        PyErr_SetString(PyExc_ValueError, "translated: keys and values of different lengths");
        return NULL;
    }
    /* What each BMP character becomes: 0 itself, 1 dropped, else the value + 2.
     * Kept from one call to the next while the table is the same one. */
    static uint32_t *to = NULL;
    static PyObject *table = NULL;
    PyObject *asked = PyTuple_Pack(3, keys, values, dropped);
    if (asked == NULL)
        return NULL;
    int same = 0;
    if (to != NULL && table != NULL) {
        same = PyObject_RichCompareBool(asked, table, Py_EQ);
        if (same < 0) {
            Py_DECREF(asked);
            return NULL;
        }
    }
    if (!same) {
        uint32_t *made = PyMem_Calloc(0x10000, sizeof(uint32_t));
        if (made == NULL) {
            Py_DECREF(asked);
            return PyErr_NoMemory();
        }
        for (Py_ssize_t i = 0; i < nk + nd; i++) {
            Py_UCS4 c = i < nk ? PyUnicode_READ_CHAR(keys, i)
                               : PyUnicode_READ_CHAR(dropped, i - nk);
            if (c >= 0x10000) {
                PyMem_Free(made);
                Py_DECREF(asked);
                PyErr_SetString(PyExc_ValueError,
                                "translated: a table character beyond the BMP");
                return NULL;
            }
            made[c] = i < nk ? (uint32_t)PyUnicode_READ_CHAR(values, i) + 2 : 1;
        }
        PyMem_Free(to);
        to = made;
        Py_XSETREF(table, asked);
    } else {
        Py_DECREF(asked);
    }
    Py_ssize_t n = PyUnicode_GET_LENGTH(text), first = -1;
    int kind = PyUnicode_KIND(text);
    const void *data = PyUnicode_DATA(text);
    for (Py_ssize_t i = 0; i < n && first < 0; i++) {
        Py_UCS4 c = PyUnicode_READ(kind, data, i);
        if (c < 0x10000 && to[c])
            first = i;
    }
    PyObject *out = NULL;
    if (first < 0) {
        Py_INCREF(text);
        out = text;
    } else {
        Py_UCS4 *buffer = PyMem_Malloc((n ? n : 1) * sizeof(Py_UCS4));
        if (buffer == NULL) {
            PyErr_NoMemory();
        } else {
            Py_ssize_t o = 0;
            for (Py_ssize_t i = 0; i < n; i++) {
                Py_UCS4 c = PyUnicode_READ(kind, data, i);
                uint32_t t = c < 0x10000 ? to[c] : 0;
                if (t == 0)
                    buffer[o++] = c;
                else if (t > 1)
                    buffer[o++] = t - 2;
            }
            out = PyUnicode_FromKindAndData(PyUnicode_4BYTE_KIND, buffer, o);
            PyMem_Free(buffer);
        }
    }
    return out;
}

/* Where NFKC and case folding have work in a text: each run of characters
 * that are not ASCII, with the character before it (a combining mark
 * composes with the letter it follows), as a flat list start, end, start,
 * end... Between runs everything is ASCII, which neither changes but for
 * case, and before an ASCII character normalisation always starts afresh. */
static PyObject *non_ascii_runs(PyObject *self, PyObject *text)
{
    if (!PyUnicode_Check(text)) {
        PyErr_SetString(PyExc_TypeError, "non_ascii_runs: a str is needed");
        return NULL;
    }
    PyObject *out = PyList_New(0);
    if (out == NULL || PyUnicode_IS_ASCII(text))
        return out;
    Py_ssize_t n = PyUnicode_GET_LENGTH(text), i = 0;
    int kind = PyUnicode_KIND(text);
    const void *data = PyUnicode_DATA(text);
    while (i < n) {
        if (PyUnicode_READ(kind, data, i) < 128) {
            i++;
            continue;
        }
        Py_ssize_t start = i > 0 ? i - 1 : 0;
        while (i < n && PyUnicode_READ(kind, data, i) >= 128)
            i++;
        PyObject *a = PyLong_FromSsize_t(start), *b = PyLong_FromSsize_t(i);
        int failed = a == NULL || b == NULL || PyList_Append(out, a) < 0
                     || PyList_Append(out, b) < 0;
        Py_XDECREF(a);
        Py_XDECREF(b);
        if (failed) {
            Py_DECREF(out);
            return NULL;
        }
    }
    return out;
}

/* Sentences of normalised paragraphs (dedup.text.sentences.sentence_facts): a
 * sentence ends after . ! ? : ; and any closing quotes or brackets, before
 * a space (which belongs to neither sentence). A paragraph shorter than
 * min_chars, or with no such end, is one sentence (its key is the
 * paragraph's own). Returns (counts, lengths, pieces): as bytes the number
 * of sentences of each paragraph (int32) and the length of every sentence
 * (int32); and a list of the texts of the sentences of the paragraphs that
 * hold more than one, in order, for the caller to key. */
static int sentence_end(int kind, const void *data, Py_ssize_t n, Py_ssize_t i, Py_ssize_t *space)
{
    Py_UCS4 c = PyUnicode_READ(kind, data, i);
    if (c != '.' && c != '!' && c != '?' && c != ':' && c != ';')
        return 0;
    Py_ssize_t j = i + 1;
    while (j < n) {
        c = PyUnicode_READ(kind, data, j);
        if (c != '"' && c != '\'' && c != ')' && c != ']')
            break;
        j++;
    }
    if (j < n && PyUnicode_READ(kind, data, j) == ' ') {
        *space = j;
        return 1;
    }
    return 0;
}

typedef struct {
    char *data;
    Py_ssize_t used, room;
} Growing;

static int grow_put(Growing *g, const void *value, Py_ssize_t size)
{
    if (g->used + size > g->room) {
        Py_ssize_t room = g->room ? 2 * g->room : 4096;
        while (room < g->used + size)
            room *= 2;
        char *bigger = PyMem_Realloc(g->data, (size_t)room);
        if (bigger == NULL) {
            PyErr_NoMemory();
            return -1;
        }
        g->data = bigger;
        g->room = room;
    }
    memcpy(g->data + g->used, value, (size_t)size);
    g->used += size;
    return 0;
}

static int put_sentence(PyObject *text, Py_ssize_t a, Py_ssize_t b, Growing *lengths,
                        PyObject *pieces)
{
    int32_t size = (int32_t)(b - a);
    PyObject *piece = PyUnicode_Substring(text, a, b);
    if (piece == NULL)
        return -1;
    int failed = PyList_Append(pieces, piece);
    Py_DECREF(piece);
    if (failed < 0 || grow_put(lengths, &size, 4) < 0)
        return -1;
    return 0;
}

static PyObject *sentence_pieces(PyObject *self, PyObject *args)
{
    PyObject *norms;
    Py_ssize_t min_chars;
    if (!PyArg_ParseTuple(args, "O!n", &PyList_Type, &norms, &min_chars))
        return NULL;
    PyObject *result = NULL, *pieces = PyList_New(0);
    Py_ssize_t count = PyList_GET_SIZE(norms);
    Growing counts = {0}, lengths = {0};
    if (pieces == NULL)
        return NULL;
    for (Py_ssize_t t = 0; t < count; t++) {
        PyObject *text = PyList_GET_ITEM(norms, t);
        if (!PyUnicode_Check(text)) {
            PyErr_SetString(PyExc_TypeError, "sentence_pieces: texts must be str");
            goto done;
        }
        Py_ssize_t n = PyUnicode_GET_LENGTH(text), start = 0, space;
        int kind = PyUnicode_KIND(text);
        const void *data = PyUnicode_DATA(text);
        int32_t sentences = 0;
        if (n >= min_chars) {
            for (Py_ssize_t i = 0; i < n; i++) {
                if (sentence_end(kind, data, n, i, &space)) {
                    if (put_sentence(text, start, space, &lengths, pieces) < 0)
                        goto done;
                    sentences++;
                    start = space + 1;
                    i = space;
                }
            }
        }
        if (sentences == 0) {
            int32_t size = (int32_t)n;
            if (grow_put(&lengths, &size, 4) < 0)
                goto done;
        } else if (put_sentence(text, start, n, &lengths, pieces) < 0) {
            goto done;
        }
        sentences++;
        if (grow_put(&counts, &sentences, 4) < 0)
            goto done;
    }
    result = Py_BuildValue("y#y#O", counts.data ? counts.data : "", counts.used,
                           lengths.data ? lengths.data : "", lengths.used, pieces);
done:
    Py_DECREF(pieces);
    PyMem_Free(counts.data);
    PyMem_Free(lengths.data);
    return result;
}

/* The positions of the texts that hold any of the phrases (all of them
 * ASCII or Latin-1 code points; dedup.text.sentences.furniture_flags): one pass
 * over each text, comparing only where a phrase's first character stands. */
static PyObject *phrase_hits(PyObject *self, PyObject *args)
{
    PyObject *texts, *phrases;
    if (!PyArg_ParseTuple(args, "O!O!", &PyList_Type, &texts, &PyList_Type, &phrases))
        return NULL;
    Py_ssize_t count = PyList_GET_SIZE(texts), np_ = PyList_GET_SIZE(phrases);
    if (np_ > 255) {
        PyErr_SetString(PyExc_ValueError, "phrase_hits: at most 255 phrases");
        return NULL;
    }
    /* The phrases starting with each character, in a list ended by 255. */
    unsigned char starting[256][256];
    int used[256] = {0};
    for (Py_ssize_t p = 0; p < np_; p++) {
        PyObject *phrase = PyList_GET_ITEM(phrases, p);
        if (!PyUnicode_Check(phrase) || PyUnicode_GET_LENGTH(phrase) == 0
                || PyUnicode_MAX_CHAR_VALUE(phrase) > 255) {
            PyErr_SetString(PyExc_ValueError, "phrase_hits: phrases must be non-empty Latin-1 str");
            return NULL;
        }
        Py_UCS4 c = PyUnicode_READ_CHAR(phrase, 0);
        starting[c][used[c]++] = (unsigned char)p;
    }
    PyObject *out = PyList_New(0);
    if (out == NULL)
        return NULL;
    for (Py_ssize_t t = 0; t < count; t++) {
        PyObject *text = PyList_GET_ITEM(texts, t);
        if (!PyUnicode_Check(text)) {
            PyErr_SetString(PyExc_TypeError, "phrase_hits: texts must be str");
            Py_DECREF(out);
            return NULL;
        }
        Py_ssize_t n = PyUnicode_GET_LENGTH(text);
        int kind = PyUnicode_KIND(text), hit = 0;
        const void *data = PyUnicode_DATA(text);
        for (Py_ssize_t i = 0; i < n && !hit; i++) {
            Py_UCS4 c = PyUnicode_READ(kind, data, i);
            if (c > 255)
                continue;
            for (int q = 0; q < used[c] && !hit; q++) {
                PyObject *phrase = PyList_GET_ITEM(phrases, starting[c][q]);
                Py_ssize_t m = PyUnicode_GET_LENGTH(phrase);
                if (m > n - i)
                    continue;
                int pk = PyUnicode_KIND(phrase);
                const void *pd = PyUnicode_DATA(phrase);
                Py_ssize_t k = 1;
                while (k < m && PyUnicode_READ(pk, pd, k) == PyUnicode_READ(kind, data, i + k))
                    k++;
                hit = k == m;
            }
        }
        if (hit) {
            PyObject *index = PyLong_FromSsize_t(t);
            if (index == NULL || PyList_Append(out, index) < 0) {
                Py_XDECREF(index);
                Py_DECREF(out);
                return NULL;
            }
            Py_DECREF(index);
        }
    }
    return out;
}


/* Whether text[i:] starts with " " and a lower-case ASCII letter. */
static int common_noun_follows(int kind, const void *data, Py_ssize_t n, Py_ssize_t i)
{
    if (i + 1 >= n || PyUnicode_READ(kind, data, i) != ' ')
        return 0;
    Py_UCS4 c = PyUnicode_READ(kind, data, i + 1);
    return c >= 'a' && c <= 'z';
}

/* str.isupper of a whole text. */
static int text_isupper(int kind, const void *data, Py_ssize_t n)
{
    int cased = 0;
    for (Py_ssize_t i = 0; i < n; i++) {
        Py_UCS4 c = PyUnicode_READ(kind, data, i);
        if (Py_UNICODE_ISLOWER(c) || Py_UNICODE_ISTITLE(c))
            return 0;
        if (!cased && Py_UNICODE_ISUPPER(c))
            cased = 1;
    }
    return cased;
}

/* leaning(texts, openers, capitals, separators, lower_share): the
   dedup.text.sentences.leans value of every text, as bytes. Its Python form is
   the reference; this one skips the regular expression and the split. */
static PyObject *leaning(PyObject *self, PyObject *args)
{
    PyObject *texts, *openers, *capitals;
    int separators;
    double lower_share;
    if (!PyArg_ParseTuple(args, "O!O!O!id", &PyList_Type, &texts, &PySet_Type, &openers,
                          &PySet_Type, &capitals, &separators, &lower_share))
        return NULL;
    Py_ssize_t count = PyList_GET_SIZE(texts);
    PyObject *out = PyBytes_FromStringAndSize(NULL, count);
    if (out == NULL)
        return NULL;
    char *flags = PyBytes_AS_STRING(out);
    for (Py_ssize_t t = 0; t < count; t++) {
        PyObject *text = PyList_GET_ITEM(texts, t);
        if (!PyUnicode_Check(text)) {
            PyErr_SetString(PyExc_TypeError, "leaning: texts must be str");
            Py_DECREF(out);
            return NULL;
        }
        Py_ssize_t n = PyUnicode_GET_LENGTH(text);
        int kind = PyUnicode_KIND(text);
        const void *data = PyUnicode_DATA(text);
        char flag = 0;
        Py_ssize_t end = n;
        while (end > 0 && Py_UNICODE_ISSPACE(PyUnicode_READ(kind, data, end - 1)))
            end--;
        if (end > 0 && PyUnicode_READ(kind, data, end - 1) == ':') {
            flags[t] = 4;                    /* it introduces what follows it */
            continue;
        }
        Py_ssize_t i = 0;
        while (i < n && !Py_UNICODE_ISALNUM(PyUnicode_READ(kind, data, i)))
            i++;
        Py_ssize_t j = i;
        while (j < n) {
            Py_UCS4 c = PyUnicode_READ(kind, data, j);
            if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z')))
                break;
            j++;
        }
        int upper = -1;                      /* not known yet */
        if (j > i) {
            PyObject *word = PyUnicode_Substring(text, i, j);
            if (word == NULL) {
                Py_DECREF(out);
                return NULL;
            }
            int opener = PySet_Contains(openers, word);
            int capital = opener == 0 ? PySet_Contains(capitals, word) : 0;
            int the = PyUnicode_CompareWithASCIIString(word, "The") == 0;
            Py_DECREF(word);
            if (opener < 0 || capital < 0) {
                Py_DECREF(out);
                return NULL;
            }
            if (opener || (the && common_noun_follows(kind, data, n, j)))
                flag = 1;
            else if (capital) {
                upper = text_isupper(kind, data, n);
                if (upper)
                    flag = 1;
            }
        }
        if (!flag) {
            int seps = 0;
            for (Py_ssize_t k = 0; k < n && seps < separators; k++) {
                Py_UCS4 c = PyUnicode_READ(kind, data, k);
                seps += c == ',' || c == ';';
            }
            if (seps >= separators) {
                if (upper < 0)
                    upper = text_isupper(kind, data, n);
                if (!upper) {
                    Py_ssize_t tokens = 0, lower = 0;
                    int inside = 0;
                    for (Py_ssize_t k = 0; k < n; k++) {
                        Py_UCS4 c = PyUnicode_READ(kind, data, k);
                        if (Py_UNICODE_ISSPACE(c)) {
                            inside = 0;
                        } else if (!inside) {
                            inside = 1;
                            tokens++;
                            lower += Py_UNICODE_ISLOWER(c) != 0;
                        }
                    }
                    if ((double)lower < lower_share * (double)tokens)
                        flag = 2;
                }
            }
        }
        flags[t] = flag;
    }
    return out;
}

static PyMethodDef methods[] = {
    {"paragraph_texts", paragraph_texts, METH_O, "paragraph_texts(text): the paragraphs' texts"},
    {"paragraph_spans", paragraph_spans, METH_O,
     "paragraph_spans(text): (first line, line after the last) of each paragraph"},
    {"paragraph_bounds", paragraph_bounds, METH_O,
     "paragraph_bounds(text): (start, end) in characters of each paragraph's lines,\n"
     "with the last line's ending"},
    {"squeezed", squeezed, METH_O, "squeezed(text): \" \".join(text.split())"},
    {"translated", translated, METH_VARARGS,
     "translated(text, keys, values, dropped): see dedup.text.normalize._straightened"},
    {"non_ascii_runs", non_ascii_runs, METH_O,
     "non_ascii_runs(text): see dedup.text.normalize._nfkc_casefolded"},
    {"facts", facts, METH_VARARGS,
     "facts(norms, texts, length, words, digit, upper): see dedup.text.facts.Facts.of"},
    {"sentence_pieces", sentence_pieces, METH_VARARGS,
     "sentence_pieces(norms, min_chars): see dedup.text.sentences.sentence_facts"},
    {"leaning", leaning, METH_VARARGS,
     "leaning(texts, openers, capitals, separators, lower_share): see dedup.text.sentences.leans"},
    {"phrase_hits", phrase_hits, METH_VARARGS,
     "phrase_hits(texts, phrases): positions of the texts holding any phrase"},
    {"shorter_and_starts", shorter_and_starts, METH_VARARGS,
     "shorter_and_starts(first, second, cut): see dedup.decisions.detect.pair_scores"},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, "_text", NULL, -1, methods};

PyMODINIT_FUNC PyInit__text(void)
{
    return PyModule_Create(&module);
}
