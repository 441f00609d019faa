/*
 * evalmon.sources._quickpass: the follower's quick pass, compiled.
 *
 * Under sustained writes the follower reads every busy file once per period. In Python the
 * bookkeeping around those reads (a loop over the files, a pread each, the parser call, the
 * batch) cost about as much CPU as `tail -F` spends on the same files altogether
 * (benchmarks/README.md, follow.py). This does the same steps, in the same order and with
 * the same results, as the Python loop it stands in for, Follower._quick_pass_python in
 * follow.py, which stays the reference and the fallback where this is not built; the tests
 * run the follower's quick-pass tests with both.
 *
 * It reads and writes the follower's per-file records (_File) by attribute name, calls each
 * file's parser through its Python `feed` method, and builds the plain FileBatch of the
 * common case itself; anything less common (a line shift, a pending truncation, a warning
 * due) goes through the follower's own Python `live_batch`.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define SIGNATURE_BYTES 32

static PyObject *s_sniffed, *s_fd, *s_signature, *s_offset, *s_flushed, *s_size, *s_parser,
    *s_feed, *s_warned_long_lines, *s_dropped_bytes, *s_line_shift, *s_relative,
    *s_pending_truncated, *s_path;

static int truthy_attr(PyObject *obj, PyObject *name)
{
    PyObject *value = PyObject_GetAttr(obj, name);
    if (!value)
        return -1;
    int result = PyObject_IsTrue(value);
    Py_DECREF(value);
    return result;
}

static int ssize_attr(PyObject *obj, PyObject *name, Py_ssize_t *out)
{
    PyObject *value = PyObject_GetAttr(obj, name);
    if (!value)
        return -1;
    *out = PyLong_AsSsize_t(value);
    Py_DECREF(value);
    return (*out == -1 && PyErr_Occurred()) ? -1 : 0;
}

static int set_ssize_attr(PyObject *obj, PyObject *name, Py_ssize_t value)
{
    PyObject *number = PyLong_FromSsize_t(value);
    if (!number)
        return -1;
    int result = PyObject_SetAttr(obj, name, number);
    Py_DECREF(number);
    return result;
}

/* pread with the GIL released (a network filesystem may take its time); -1 and errno. */
static Py_ssize_t read_at(int fd, char *buf, Py_ssize_t size, Py_ssize_t offset)
{
    Py_ssize_t got;
    do {
        Py_BEGIN_ALLOW_THREADS
        got = pread(fd, buf, (size_t)size, (off_t)offset);
        Py_END_ALLOW_THREADS
    } while (got < 0 && errno == EINTR && !PyErr_CheckSignals());
    return got;
}

/*
 * The batch of ``f``'s new events: built here in the common case (no line shift to apply,
 * no truncation to report, no warning due), else by the follower's ``live_batch(f, events)``.
 */
static PyObject *batch_of(PyObject *f, PyObject *events, PyObject *parser, PyObject *live_batch,
                          PyObject *batch_type, Py_ssize_t offset, Py_ssize_t size)
{
    Py_ssize_t shift;
    int truncated, relative, warned, dropped = 0;
    if (ssize_attr(f, s_line_shift, &shift) < 0 || (relative = truthy_attr(f, s_relative)) < 0 ||
        (truncated = truthy_attr(f, s_pending_truncated)) < 0 ||
        (warned = truthy_attr(f, s_warned_long_lines)) < 0)
        return NULL;
    if (!warned && PyObject_HasAttr(parser, s_dropped_bytes) &&
        (dropped = truthy_attr(parser, s_dropped_bytes)) < 0)
        return NULL;
    if ((shift && !relative) || truncated || dropped) {
        PyObject *args[2] = {f, events};
        return PyObject_Vectorcall(live_batch, args, 2, NULL);
    }
    PyObject *values[9] = {NULL};
    PyObject *result = NULL;
    values[0] = PyObject_GetAttr(f, s_path);
    values[1] = PyList_AsTuple(events);
    values[2] = Py_NewRef(Py_False); /* history */
    values[3] = Py_NewRef(relative ? Py_True : Py_False);
    values[4] = PyLong_FromLong(0); /* line_shift */
    values[5] = Py_NewRef(Py_False); /* truncated */
    values[6] = PyLong_FromSsize_t(offset); /* scanned_bytes */
    values[7] = PyLong_FromSsize_t(size);
    values[8] = PyUnicode_FromString(""); /* warning */
    for (int i = 0; i < 9; i++)
        if (!values[i])
            goto done;
    result = PyObject_Vectorcall(batch_type, values, 9, NULL);
done:
    for (int i = 0; i < 9; i++)
        Py_XDECREF(values[i]);
    return result;
}

/* Read, parse and batch one file; appends it to ``full`` or ``idle`` when it is not the
 * common case. 1: read something, 0: nothing read, -1: error. */
static int one_file(PyObject *f, Py_ssize_t want, char *buf, PyObject *live_batch,
                    PyObject *batch_type, PyObject *full, PyObject *idle, PyObject *batches,
                    Py_ssize_t *total)
{
    Py_ssize_t fd, offset, size;
    int sniffed = truthy_attr(f, s_sniffed);
    if (sniffed < 0 || ssize_attr(f, s_fd, &fd) < 0)
        return -1;
    if (!sniffed || fd < 0)
        return PyList_Append(full, f) < 0 ? -1 : 0;
    PyObject *sig = PyObject_GetAttr(f, s_signature);
    if (!sig)
        return -1;
    if (!PyBytes_Check(sig) || PyBytes_GET_SIZE(sig) > SIGNATURE_BYTES ||
        ssize_attr(f, s_offset, &offset) < 0) {
        Py_DECREF(sig);
        return PyErr_Occurred() ? -1 : (PyList_Append(full, f) < 0 ? -1 : 0);
    }
    Py_ssize_t n = PyBytes_GET_SIZE(sig);
    Py_ssize_t r = read_at((int)fd, buf, n + want, offset - n);
    int same = r >= n && memcmp(buf, PyBytes_AS_STRING(sig), (size_t)n) == 0;
    Py_DECREF(sig);
    if (r < 0) {
        if (PyErr_Occurred())
            return -1;
        return PyList_Append(full, f) < 0 ? -1 : 0;
    }
    Py_ssize_t got = r - n;
    if (got <= 0 || got >= want || !same) {
        if (got == 0 && same) {
            int flushed = truthy_attr(f, s_flushed);
            if (flushed < 0)
                return -1;
            if (!flushed && PyList_Append(idle, f) < 0)
                return -1;
            return 0;
        }
        /* shrank, rewritten, or a big append: the full path sorts it out */
        return PyList_Append(full, f) < 0 ? -1 : 0;
    }
    offset += got;
    Py_ssize_t keep = r < SIGNATURE_BYTES ? r : SIGNATURE_BYTES;
    PyObject *new_sig = PyBytes_FromStringAndSize(buf + r - keep, keep);
    PyObject *data = PyBytes_FromStringAndSize(buf + n, got);
    if (!new_sig || !data || set_ssize_attr(f, s_offset, offset) < 0 ||
        PyObject_SetAttr(f, s_signature, new_sig) < 0 ||
        PyObject_SetAttr(f, s_flushed, Py_False) < 0 || ssize_attr(f, s_size, &size) < 0 ||
        (offset > size && set_ssize_attr(f, s_size, offset) < 0)) {
        Py_XDECREF(new_sig);
        Py_XDECREF(data);
        return -1;
    }
    Py_DECREF(new_sig);
    *total += got;
    if (offset > size)
        size = offset;
    PyObject *parser = PyObject_GetAttr(f, s_parser);
    if (!parser) {
        Py_DECREF(data);
        return -1;
    }
    PyObject *events = PyObject_CallMethodOneArg(parser, s_feed, data);
    Py_DECREF(data);
    int status = 1;
    if (!events || !PyList_Check(events)) {
        if (events)
            PyErr_SetString(PyExc_TypeError, "a parser's feed() must return a list");
        status = -1;
    } else {
        int due = PyList_GET_SIZE(events) > 0;
        if (!due) {
            int warned = truthy_attr(f, s_warned_long_lines);
            if (warned < 0)
                status = -1;
            else if (!warned && PyObject_HasAttr(parser, s_dropped_bytes) &&
                     (due = truthy_attr(parser, s_dropped_bytes)) < 0)
                status = -1;
        }
        if (status > 0 && due) {
            PyObject *batch =
                batch_of(f, events, parser, live_batch, batch_type, offset, size);
            if (!batch || PyList_Append(batches, batch) < 0)
                status = -1;
            Py_XDECREF(batch);
        }
    }
    Py_XDECREF(events);
    Py_DECREF(parser);
    return status;
}

/*
 * read_and_parse(files, want, live_batch, FileBatch) -> (full, idle, batches, reads, total)
 *
 * For each file record in ``files``: one pread of its new bytes (at most ``want``) that
 * starts at the signature bytes before its offset; its parser fed with them; a batch of the
 * events. ``full``: records the full path must handle (not sniffed, truncated, rewritten, a
 * big append, a read error); ``idle``: records with nothing new whose parser should flush.
 */
static PyObject *read_and_parse(PyObject *self, PyObject *const *args, Py_ssize_t nargs)
{
    (void)self;
    if (nargs != 4 || !PyList_Check(args[0])) {
        PyErr_SetString(PyExc_TypeError, "read_and_parse(files: list, want, live_batch, FileBatch)");
        return NULL;
    }
    PyObject *files = args[0], *live_batch = args[2], *batch_type = args[3];
    Py_ssize_t want = PyLong_AsSsize_t(args[1]);
    if (want == -1 && PyErr_Occurred())
        return NULL;
    if (want < 1 || want > (64 << 20)) {
        PyErr_SetString(PyExc_ValueError, "want must be 1..64 MiB");
        return NULL;
    }
    char *buf = malloc((size_t)want + SIGNATURE_BYTES);
    PyObject *full = PyList_New(0), *idle = PyList_New(0), *batches = PyList_New(0);
    PyObject *result = NULL;
    if (!buf || !full || !idle || !batches) {
        if (!buf)
            PyErr_NoMemory();
        goto done;
    }
    Py_ssize_t reads = 0, total = 0;
    for (Py_ssize_t i = 0; i < PyList_GET_SIZE(files); i++) {
        int status = one_file(PyList_GET_ITEM(files, i), want, buf, live_batch, batch_type, full,
                              idle, batches, &total);
        if (status < 0)
            goto done;
        reads += status;
    }
    result = Py_BuildValue("(OOOnn)", full, idle, batches, reads, total);
done:
    free(buf);
    Py_XDECREF(full);
    Py_XDECREF(idle);
    Py_XDECREF(batches);
    return result;
}

static PyMethodDef methods[] = {
    {"read_and_parse", (PyCFunction)(void (*)(void))read_and_parse, METH_FASTCALL,
     "read_and_parse(files, want, live_batch, FileBatch) -> (full, idle, batches, reads, total)"},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {
    PyModuleDef_HEAD_INIT, "_quickpass",
    "The follower's quick pass, compiled (see sources/follow.py).", -1, methods,
    NULL, NULL, NULL, NULL,
};

#define INTERN(var, text)                                                                    \
    if (!((var) = PyUnicode_InternFromString(text)))                                         \
        return NULL;

PyMODINIT_FUNC PyInit__quickpass(void)
{
    INTERN(s_sniffed, "sniffed");
    INTERN(s_fd, "fd");
    INTERN(s_signature, "signature");
    INTERN(s_offset, "offset");
    INTERN(s_flushed, "flushed");
    INTERN(s_size, "size");
    INTERN(s_parser, "parser");
    INTERN(s_feed, "feed");
    INTERN(s_warned_long_lines, "warned_long_lines");
    INTERN(s_dropped_bytes, "dropped_bytes");
    INTERN(s_line_shift, "line_shift");
    INTERN(s_relative, "relative");
    INTERN(s_pending_truncated, "pending_truncated");
    INTERN(s_path, "path");
    PyObject *m = PyModule_Create(&module);
    if (m && PyModule_AddIntConstant(m, "SIGNATURE_BYTES", SIGNATURE_BYTES) < 0) {
        Py_DECREF(m);
        return NULL;
    }
    return m;
}
