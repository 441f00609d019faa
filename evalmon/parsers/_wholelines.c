/*
 * evalmon.parsers._wholelines: the live follower's whole-line fast path, compiled.
 *
 * A live follower reads a few lines of each of many files every 40 ms. In Python, matching
 * each line against the parser modules' WHOLE_LINES shapes and building the events costs
 * more CPU than `tail -F` spends on the same files (benchmarks/README.md, follow.py). This
 * module does the same work for the default modules' shapes in one call per read.
 *
 * It is an accelerator, never the reference. The shapes here mirror, by hand, the regexes
 * in megatron.WHOLE_LINES, access_log.WHOLE_LINES and tqdm.WHOLE_LINES; SHAPES_SHA256 is
 * the digest of those regex sources, and parsers/stream.py uses this module only while the
 * digest of the current sources matches (a regex edited without this file switches it off,
 * and tests/test_wholelines_c.py fails until both agree again). It is conservative: any
 * read it is not sure of (a line of another shape, a free text not yet vetted in the memo
 * dicts, anything unusual) gives None, and the Python path handles that read. The tests
 * check that whenever it answers, the answer equals the Python path's, object for object.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <structmember.h>
#include <string.h>

#define SHAPES_SHA256 "ec43afe7232337a01a1c4920dcaec48ccc825956bd72d5ca0fcc29949ef93a62"

typedef const unsigned char *cp;

/* ------------------------------------------------------------------ character classes */

static int is_digit(unsigned char c) { return c >= '0' && c <= '9'; }
static int is_lower_hex_ip(unsigned char c) /* [0-9a-f.:] */
{
    return is_digit(c) || (c >= 'a' && c <= 'f') || c == '.' || c == ':';
}
static int is_any_hex_ip(unsigned char c) /* [0-9A-Fa-f:.] */
{
    return is_lower_hex_ip(c) || (c >= 'A' && c <= 'F');
}
static int is_path(unsigned char c) /* [a-z0-9/_.~%=&?+-] */
{
    return (c >= 'a' && c <= 'z') || is_digit(c) || c == '/' || c == '_' || c == '.' ||
           c == '~' || c == '%' || c == '=' || c == '&' || c == '?' || c == '+' || c == '-';
}
static int is_alpha(unsigned char c) { return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z'); }
static int is_desc(unsigned char c) /* [A-Za-z0-9 _.-] */
{
    return is_alpha(c) || is_digit(c) || c == ' ' || c == '_' || c == '.' || c == '-';
}

/* ------------------------------------------------------------------ small matchers */

/* `lit` at p (p < e); returns the position after it or NULL. */
static cp lit(cp p, cp e, const char *s)
{
    size_t n = strlen(s);
    if ((size_t)(e - p) < n || memcmp(p, s, n) != 0)
        return NULL;
    return p + n;
}

/* min..max digits; *value gets their number (max <= 12 keeps it exact in a long long). */
static cp digits(cp p, cp e, int min, int max, long long *value)
{
    long long v = 0;
    int n = 0;
    while (p < e && n < max && is_digit(*p)) {
        v = v * 10 + (*p - '0');
        p++;
        n++;
    }
    if (n < min || (p < e && is_digit(*p)))
        return NULL; /* too few, or more than max (the regex would not match either) */
    if (value)
        *value = v;
    return p;
}

/* exactly n digits */
static cp ndigits(cp p, cp e, int n)
{
    for (int i = 0; i < n; i++, p++)
        if (p >= e || !is_digit(*p))
            return NULL;
    return p;
}

/* min..max spaces, greedy, and no further space (a regex ` {1,3}` followed by a non-space) */
static cp spaces(cp p, cp e, int min, int max)
{
    int n = 0;
    while (p < e && *p == ' ' && n < max) {
        p++;
        n++;
    }
    if (n < min || (p < e && *p == ' '))
        return NULL;
    return p;
}

/* `\d{1,4}:\d\d(?::\d\d)?`: the seconds as tqdm's clock (H:MM:SS or MM:SS) */
static cp clock_seconds(cp p, cp e, double *seconds)
{
    long long a, b, c;
    p = digits(p, e, 1, 4, &a);
    if (!p || !(p = lit(p, e, ":")) || !(p = ndigits(p, e, 2)))
        return NULL;
    b = (p[-2] - '0') * 10 + (p[-1] - '0');
    if (e - p >= 3 && p[0] == ':' && is_digit(p[1]) && is_digit(p[2])) {
        c = (p[1] - '0') * 10 + (p[2] - '0');
        *seconds = (double)((a * 60 + b) * 60 + c);
        return p + 3;
    }
    *seconds = (double)(a * 60 + b);
    return p;
}

/* `\d{1,9}\.\d\d` as Python's float() reads it */
static cp decimal(cp p, cp e, double *value)
{
    cp start = p;
    char buf[16];
    if (!(p = digits(p, e, 1, 9, NULL)) || !(p = lit(p, e, ".")) || !(p = ndigits(p, e, 2)))
        return NULL;
    size_t n = (size_t)(p - start);
    memcpy(buf, start, n);
    buf[n] = 0;
    *value = PyOS_string_to_double(buf, NULL, NULL);
    if (*value == -1.0 && PyErr_Occurred())
        return NULL;
    return p;
}

/* `(?:GET|POST|PUT|DELETE|PATCH|HEAD|OPTIONS) ([a-z0-9/_.~%=&?+-]{1,200}) HTTP/1\.[01]" ` */
static cp request(cp p, cp e, cp *path, cp *path_end)
{
    static const char *methods[] = {"GET ", "POST ", "PUT ", "DELETE ", "PATCH ", "HEAD ",
                                    "OPTIONS ", NULL};
    cp q = NULL;
    for (int i = 0; methods[i] && !q; i++)
        q = lit(p, e, methods[i]);
    if (!q)
        return NULL;
    *path = q;
    while (q < e && is_path(*q) && q - *path < 200)
        q++;
    if (q == *path || (q < e && is_path(*q)))
        return NULL;
    *path_end = q;
    if (!(q = lit(q, e, " HTTP/1.")) || q >= e || (*q != '0' && *q != '1'))
        return NULL;
    return lit(q + 1, e, "\" ");
}

/* ------------------------------------------------------------------ the shapes */

enum { K_NONE, K_ENGINE, K_HTTP_WERKZEUG, K_HTTP_UVICORN, K_START, K_BAR };

typedef struct {
    long long number;      /* engine prompts, http status */
    cp free, free_end;     /* the free text (a path, a bar description) */
    /* a bar */
    long long n, total;
    double elapsed, remaining, rate;
    int has_remaining, has_rate;
} shape_t;

/* `\[BATCHING DEBUG\] run_mcore_engine called with (\d{1,9}) prompts?` */
static int engine(cp p, cp e, shape_t *s)
{
    if (!(p = lit(p, e, "[BATCHING DEBUG] run_mcore_engine called with ")) ||
        !(p = digits(p, e, 1, 9, &s->number)) || !(p = lit(p, e, " prompt")))
        return 0;
    if (p < e && *p == 's')
        p++;
    return p == e;
}

/* `request IP: [0-9A-Fa-f:.]{1,80}` */
static int request_ip(cp p, cp e)
{
    if (!(p = lit(p, e, "request IP: ")) || e - p < 1 || e - p > 80)
        return 0;
    for (; p < e; p++)
        if (!is_any_hex_ip(*p))
            return 0;
    return 1;
}

/* `start time: +\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(?:\.\d{1,9})?` */
static int start_time(cp p, cp e)
{
    if (!(p = lit(p, e, "start time:")) || p >= e || *p != ' ')
        return 0;
    while (p < e && *p == ' ')
        p++;
    if (!(p = ndigits(p, e, 4)) || !(p = lit(p, e, "-")) || !(p = ndigits(p, e, 2)) ||
        !(p = lit(p, e, "-")) || !(p = ndigits(p, e, 2)) || !(p = lit(p, e, " ")) ||
        !(p = ndigits(p, e, 2)) || !(p = lit(p, e, ":")) || !(p = ndigits(p, e, 2)) ||
        !(p = lit(p, e, ":")) || !(p = ndigits(p, e, 2)))
        return 0;
    if (p < e && *p == '.')
        p = digits(p + 1, e, 1, 9, NULL);
    return p == e;
}

/* werkzeug: `[0-9a-f.:]{1,45} - - \[\d\d/[A-Z][a-z]{2}/\d{4} \d\d:\d\d:\d\d\] "REQUEST"
   (\d{3}) (?:-|\d{1,12})` */
static int werkzeug(cp p, cp e, shape_t *s)
{
    cp q = p;
    while (q < e && is_lower_hex_ip(*q))
        q++;
    if (q == p || q - p > 45 || !(q = lit(q, e, " - - [")) || !(q = ndigits(q, e, 2)) ||
        !(q = lit(q, e, "/")) || e - q < 4 || !(q[0] >= 'A' && q[0] <= 'Z') ||
        !(q[1] >= 'a' && q[1] <= 'z') || !(q[2] >= 'a' && q[2] <= 'z') || q[3] != '/')
        return 0;
    q += 4;
    if (!(q = ndigits(q, e, 4)) || !(q = lit(q, e, " ")) || !(q = ndigits(q, e, 2)) ||
        !(q = lit(q, e, ":")) || !(q = ndigits(q, e, 2)) || !(q = lit(q, e, ":")) ||
        !(q = ndigits(q, e, 2)) || !(q = lit(q, e, "] \"")) ||
        !(q = request(q, e, &s->free, &s->free_end)) || !(q = ndigits(q, e, 3)))
        return 0;
    s->number = (q[-3] - '0') * 100 + (q[-2] - '0') * 10 + (q[-1] - '0');
    if (!(q = lit(q, e, " ")))
        return 0;
    if (q < e && *q == '-')
        return q + 1 == e;
    q = digits(q, e, 1, 12, NULL);
    return q == e;
}

/* uvicorn: `INFO: +[0-9a-f.:]{1,50}:\d{1,5} - "REQUEST" (\d{3}) (?:REASONS)` */
static int uvicorn(cp p, cp e, shape_t *s)
{
    static const char *reasons[] = {
        "OK", "Created", "Accepted", "No Content", "Bad Request", "Unauthorized", "Forbidden",
        "Not Found", "Method Not Allowed", "Request Timeout", "Payload Too Large",
        "Unprocessable Entity", "Unprocessable Content", "Too Many Requests",
        "Internal Server Error", "Bad Gateway", "Service Unavailable", "Gateway Timeout", NULL};
    if (!(p = lit(p, e, "INFO:")) || p >= e || *p != ' ')
        return 0;
    while (p < e && *p == ' ')
        p++;
    cp host = p;
    while (p < e && is_lower_hex_ip(*p))
        p++;
    cp host_end = p; /* host:port, split at its last colon */
    cp colon = host_end;
    while (colon > host && colon[-1] != ':')
        colon--;
    if (colon == host)
        return 0; /* no colon, or nothing before it */
    colon--;      /* at the ':' */
    if (colon - host < 1 || colon - host > 50 || host_end - colon - 1 < 1 ||
        host_end - colon - 1 > 5)
        return 0;
    for (cp q = colon + 1; q < host_end; q++)
        if (!is_digit(*q))
            return 0;
    if (!(p = lit(p, e, " - \"")) || !(p = request(p, e, &s->free, &s->free_end)) ||
        !(p = ndigits(p, e, 3)))
        return 0;
    s->number = (p[-3] - '0') * 100 + (p[-2] - '0') * 10 + (p[-1] - '0');
    if (!(p = lit(p, e, " ")))
        return 0;
    for (int i = 0; reasons[i]; i++) {
        size_t n = strlen(reasons[i]);
        if ((size_t)(e - p) == n && memcmp(p, reasons[i], n) == 0)
            return 1;
    }
    return 0;
}

/* tqdm: `([A-Za-z][A-Za-z0-9 _.-]{0,60}): {1,3}(\d{1,3})%\|(?:[ #0-9]|\xe2\x96[\x80-\x9f]){4,100}\|
   {1,3}(\d{1,12})/(\d{1,12}) \[CLOCK<(CLOCK|\?), {1,3}(?:(\d{1,9}\.\d\d|\?)it/s|(\d{1,9}\.\d\d)s/it)\]` */
static int bar(cp p, cp e, shape_t *s)
{
    if (p >= e || !is_alpha(*p))
        return 0;
    s->free = p;
    cp q = p + 1;
    while (q < e && is_desc(*q))
        q++;
    if (q - p > 61 || q >= e || *q != ':')
        return 0;
    s->free_end = q;
    q++;
    if (!(q = spaces(q, e, 1, 3)) || !(q = digits(q, e, 1, 3, NULL)) || !(q = lit(q, e, "%|")))
        return 0;
    int units = 0;
    while (q < e && units <= 100) {
        if (*q == ' ' || *q == '#' || is_digit(*q))
            q++;
        else if (e - q >= 3 && q[0] == 0xe2 && q[1] == 0x96 && q[2] >= 0x80 && q[2] <= 0x9f)
            q += 3;
        else
            break;
        units++;
    }
    if (units < 4 || units > 100 || !(q = lit(q, e, "|")) || !(q = spaces(q, e, 1, 3)) ||
        !(q = digits(q, e, 1, 12, &s->n)) || !(q = lit(q, e, "/")) ||
        !(q = digits(q, e, 1, 12, &s->total)) || !(q = lit(q, e, " [")) ||
        !(q = clock_seconds(q, e, &s->elapsed)) || !(q = lit(q, e, "<")))
        return 0;
    if (q < e && *q == '?') {
        s->has_remaining = 0;
        q++;
    } else {
        s->has_remaining = 1;
        if (!(q = clock_seconds(q, e, &s->remaining)))
            return 0;
    }
    if (!(q = lit(q, e, ",")) || !(q = spaces(q, e, 1, 3)))
        return 0;
    if (q < e && *q == '?') {
        s->has_rate = 0;
        q = lit(q + 1, e, "it/s");
    } else {
        double value;
        if (!(q = decimal(q, e, &value)))
            return 0;
        if (e - q >= 4 && memcmp(q, "it/s", 4) == 0) {
            s->has_rate = 1;
            s->rate = value;
            q += 4;
        } else if (e - q >= 4 && memcmp(q, "s/it", 4) == 0) {
            s->has_rate = value != 0.0;
            s->rate = value != 0.0 ? 1.0 / value : 0.0;
            q += 4;
        } else {
            return 0;
        }
    }
    return q && q + 1 == e && *q == ']';
}

static int classify(cp p, cp e, shape_t *s)
{
    if (p >= e)
        return K_NONE;
    switch (*p) {
    case '[':
        return engine(p, e, s) ? K_ENGINE : K_NONE;
    case 'r':
        if (request_ip(p, e))
            return K_START;
        break;
    case 's':
        if (start_time(p, e))
            return K_START;
        break;
    case 'I':
        if (uvicorn(p, e, s))
            return K_HTTP_UVICORN;
        break;
    default:
        break;
    }
    if (is_lower_hex_ip(*p) && werkzeug(p, e, s))
        return K_HTTP_WERKZEUG;
    if (is_alpha(*p) && bar(p, e, s))
        return K_BAR;
    return K_NONE;
}

/* ------------------------------------------------------------------ building events */

/*
 * The events are frozen slots dataclasses. Their generated __init__ sets each field
 * through object.__setattr__ (0.3 us for a Located, 0.8 us for a Progress), which was most
 * of the cost of a read here. With no __post_init__, an instance is exactly its slots, so
 * it is built as object.__new__ would and its slots filled directly, by the offsets of
 * the type's own member descriptors. Anything unexpected about a type (not slots, a field
 * missing) and its __init__ is called instead.
 */
#define MAX_FIELDS 8

typedef struct {
    PyTypeObject *type; /* borrowed: the caller keeps the type alive */
    int fields;
    int direct; /* 1: fill slots; 0: call the type */
    Py_ssize_t offsets[MAX_FIELDS];
} maker_t;

static void maker_prepare(maker_t *m, PyObject *type, const char *const *names, int fields)
{
    if ((PyObject *)m->type == type)
        return;
    m->type = (PyTypeObject *)type;
    m->fields = fields;
    m->direct = PyType_Check(type) && ((PyTypeObject *)type)->tp_alloc != NULL;
    for (int i = 0; i < fields && m->direct; i++) {
        PyObject *descr = PyObject_GetAttrString(type, names[i]);
        if (!descr) {
            PyErr_Clear();
            m->direct = 0;
            break;
        }
        if (Py_TYPE(descr) != &PyMemberDescr_Type ||
            ((PyMemberDescrObject *)descr)->d_member->type != T_OBJECT_EX)
            m->direct = 0;
        else
            m->offsets[i] = ((PyMemberDescrObject *)descr)->d_member->offset;
        Py_DECREF(descr);
    }
    /* the dataclass fields must be exactly these, in this order, and nothing else */
    if (m->direct) {
        PyObject *all = PyObject_GetAttrString(type, "__dataclass_fields__");
        if (!all || !PyDict_Check(all) || PyDict_GET_SIZE(all) != fields ||
            PyObject_HasAttrString(type, "__post_init__"))
            m->direct = 0;
        Py_XDECREF(all);
        PyErr_Clear();
    }
}

/* A new instance from ``values`` (new references, stolen, NULLs allowed after an error). */
static PyObject *make(maker_t *m, PyObject **values)
{
    PyObject *obj = NULL;
    for (int i = 0; i < m->fields; i++)
        if (!values[i])
            goto done;
    if (m->direct) {
        obj = m->type->tp_alloc(m->type, 0);
        if (obj) {
            for (int i = 0; i < m->fields; i++) {
                *(PyObject **)((char *)obj + m->offsets[i]) = values[i];
                values[i] = NULL; /* stolen by the instance */
            }
        }
    } else {
        obj = PyObject_Vectorcall((PyObject *)m->type, values, m->fields, NULL);
    }
done:
    for (int i = 0; i < m->fields; i++)
        Py_XDECREF(values[i]);
    return obj;
}

static maker_t located_maker, traffic_maker, progress_maker;
static PyObject *no_postfix; /* "": Progress.postfix's default */
static const char *const located_fields[] = {"line", "event"};
static const char *const traffic_fields[] = {"engine_batches", "http_statuses", "request_starts"};
static const char *const progress_fields[] = {"desc", "n", "total", "unit", "rate",
                                              "elapsed_s", "remaining_s", "postfix"};

/* ------------------------------------------------------------------ summarise() */

/* The memo dict says this free text was vetted (no other module's candidate in it). */
static int vetted(PyObject *memo, cp start, cp end)
{
    PyObject *key = PyBytes_FromStringAndSize((const char *)start, end - start);
    if (!key)
        return -1;
    PyObject *ok = PyDict_GetItemWithError(memo, key); /* borrowed */
    Py_DECREF(key);
    if (!ok)
        return PyErr_Occurred() ? -1 : 0;
    return ok == Py_True;
}

static PyObject *bar_progress(PyObject *unit, PyObject *no_postfix, const shape_t *s)
{
    /* the description as parse() gives it: ASCII, stripped of the spaces around it */
    cp d = s->free, de = s->free_end;
    while (d < de && *d == ' ')
        d++;
    while (de > d && de[-1] == ' ')
        de--;
    PyObject *values[8];
    values[0] = PyUnicode_DecodeASCII((const char *)d, de - d, NULL);
    values[1] = PyFloat_FromDouble((double)s->n);
    values[2] = PyFloat_FromDouble((double)s->total);
    values[3] = Py_NewRef(unit);
    values[4] = s->has_rate ? PyFloat_FromDouble(s->rate) : Py_NewRef(Py_None);
    values[5] = PyFloat_FromDouble(s->elapsed);
    values[6] = s->has_remaining ? PyFloat_FromDouble(s->remaining) : Py_NewRef(Py_None);
    values[7] = Py_NewRef(no_postfix);
    return make(&progress_maker, values);
}

/* Located(line, event); ``event`` is a new reference (stolen), NULL after an error. */
static PyObject *located(Py_ssize_t line, PyObject *event)
{
    PyObject *values[2] = {PyLong_FromSsize_t(line), event};
    return make(&located_maker, values);
}

#define MAX_STATUSES 16

/*
 * summarise(data, first_line, fixed) -> (events, lines, last_lines) | None
 *
 * ``fixed``: (ring_size, max_bytes, Located, ServerTraffic, Progress, unit, werkzeug_memo,
 * uvicorn_memo, bar_memo), the same for every read of a parser.
 * ``data``: bytes; None unless it is at most ``max_bytes`` of whole ``\n``-terminated lines
 * and EVERY line has a shape (a ``\r`` fits none). ``events``: the Located events in line
 * order (a Progress per bar line, one ServerTraffic at the last routine line); ``lines``:
 * how many lines; ``last_lines``: the last ``ring_size`` lines (bytes, without ``\n``) for
 * the parser's context ring.
 */
static PyObject *summarise(PyObject *self, PyObject *const *args, Py_ssize_t nargs)
{
    (void)self;
    if (nargs != 3 || !PyTuple_Check(args[2]) || PyTuple_GET_SIZE(args[2]) != 9) {
        PyErr_SetString(PyExc_TypeError, "summarise(data, first_line, fixed: 9-tuple)");
        return NULL;
    }
    PyObject *data = args[0];
    PyObject *const *fixed = &PyTuple_GET_ITEM(args[2], 0);
    if (!PyBytes_CheckExact(data))
        Py_RETURN_NONE;
    Py_ssize_t first_line = PyLong_AsSsize_t(args[1]);
    Py_ssize_t ring_size = PyLong_AsSsize_t(fixed[0]);
    Py_ssize_t max_bytes = PyLong_AsSsize_t(fixed[1]);
    if ((first_line == -1 || ring_size == -1 || max_bytes == -1) && PyErr_Occurred())
        return NULL;
    maker_prepare(&located_maker, fixed[2], located_fields, 2);
    maker_prepare(&traffic_maker, fixed[3], traffic_fields, 3);
    maker_prepare(&progress_maker, fixed[4], progress_fields, 8);
    PyObject *unit = fixed[5];
    PyObject *memos[3] = {fixed[6], fixed[7], fixed[8]};
    for (int i = 0; i < 3; i++)
        if (!PyDict_Check(memos[i])) {
            PyErr_SetString(PyExc_TypeError, "memos must be dicts");
            return NULL;
        }
    if (PyBytes_GET_SIZE(data) > max_bytes)
        Py_RETURN_NONE;

    cp base = (cp)PyBytes_AS_STRING(data);
    Py_ssize_t size = PyBytes_GET_SIZE(data);
    if (size == 0 || base[size - 1] != '\n')
        Py_RETURN_NONE;
    cp end = base + size;

    /* First pass: classify every line; give up at the first one without a shape. */
    Py_ssize_t lines = 0, routine_last = -1, bars = 0, engines = 0, starts = 0;
    long statuses[MAX_STATUSES], counts[MAX_STATUSES];
    int n_statuses = 0;
    shape_t s;
    for (cp p = base; p < end;) {
        cp nl = memchr(p, '\n', end - p);
        memset(&s, 0, sizeof s);
        int kind = classify(p, nl, &s);
        switch (kind) {
        case K_NONE:
            Py_RETURN_NONE;
        case K_ENGINE:
            engines++;
            routine_last = lines;
            break;
        case K_START:
            starts++;
            routine_last = lines;
            break;
        case K_HTTP_WERKZEUG:
        case K_HTTP_UVICORN: {
            int v = vetted(memos[kind == K_HTTP_WERKZEUG ? 0 : 1], s.free, s.free_end);
            if (v < 0)
                return NULL;
            if (!v)
                Py_RETURN_NONE;
            int i = 0;
            while (i < n_statuses && statuses[i] != s.number)
                i++;
            if (i == n_statuses) {
                if (n_statuses == MAX_STATUSES)
                    Py_RETURN_NONE;
                statuses[n_statuses] = (long)s.number;
                counts[n_statuses++] = 0;
            }
            counts[i]++;
            routine_last = lines;
            break;
        }
        case K_BAR: {
            int v = vetted(memos[2], s.free, s.free_end);
            if (v < 0)
                return NULL;
            if (!v)
                Py_RETURN_NONE;
            bars++;
            break;
        }
        }
        lines++;
        p = nl + 1;
    }

    /* Second pass: build the events (every line is known to have a shape). */
    PyObject *events = PyList_New(0);
    PyObject *engine_sizes = engines ? PyTuple_New(engines) : NULL;
    PyObject *last_lines = PyList_New(0);
    if (!events || (engines && !engine_sizes) || !last_lines)
        goto fail;
    Py_ssize_t line = 0, engine_i = 0, traffic_at = -1;
    Py_ssize_t ring_from = lines > ring_size ? lines - ring_size : 0;
    for (cp p = base; p < end; line++) {
        cp nl = memchr(p, '\n', end - p);
        if (line >= ring_from) {
            PyObject *text = PyBytes_FromStringAndSize((const char *)p, nl - p);
            if (!text || PyList_Append(last_lines, text) < 0) {
                Py_XDECREF(text);
                goto fail;
            }
            Py_DECREF(text);
        }
        memset(&s, 0, sizeof s);
        int kind = classify(p, nl, &s);
        if (kind == K_ENGINE) {
            PyObject *n = PyLong_FromLongLong(s.number);
            if (!n)
                goto fail;
            PyTuple_SET_ITEM(engine_sizes, engine_i++, n);
        } else if (kind == K_BAR) {
            PyObject *ev = located(first_line + line + 1, bar_progress(unit, no_postfix, &s));
            if (!ev || PyList_Append(events, ev) < 0) {
                Py_XDECREF(ev);
                goto fail;
            }
            Py_DECREF(ev);
        }
        if (line == routine_last)
            traffic_at = PyList_GET_SIZE(events); /* after the bars before it */
        p = nl + 1;
    }
    if (routine_last >= 0) {
        /* http: (status, count) pairs in ascending status */
        for (int i = 1; i < n_statuses; i++)
            for (int j = i; j > 0 && statuses[j - 1] > statuses[j]; j--) {
                long t = statuses[j];
                statuses[j] = statuses[j - 1];
                statuses[j - 1] = t;
                t = counts[j];
                counts[j] = counts[j - 1];
                counts[j - 1] = t;
            }
        PyObject *http = PyTuple_New(n_statuses);
        if (!http)
            goto fail;
        for (int i = 0; i < n_statuses; i++) {
            PyObject *pair = Py_BuildValue("(ll)", statuses[i], counts[i]);
            if (!pair) {
                Py_DECREF(http);
                goto fail;
            }
            PyTuple_SET_ITEM(http, i, pair);
        }
        PyObject *values[3];
        values[0] = engine_sizes ? engine_sizes : PyTuple_New(0);
        engine_sizes = NULL; /* handed on */
        values[1] = http;
        values[2] = PyLong_FromSsize_t(starts);
        PyObject *ev = located(first_line + routine_last + 1, make(&traffic_maker, values));
        if (!ev || PyList_Insert(events, traffic_at, ev) < 0) {
            Py_XDECREF(ev);
            goto fail;
        }
        Py_DECREF(ev);
    }
    Py_XDECREF(engine_sizes);
    PyObject *result = Py_BuildValue("(NnN)", events, lines, last_lines);
    return result;
fail:
    Py_XDECREF(events);
    Py_XDECREF(engine_sizes);
    Py_XDECREF(last_lines);
    return NULL;
}

static PyMethodDef methods[] = {
    {"summarise", (PyCFunction)(void (*)(void))summarise, METH_FASTCALL,
     "summarise(data, first_line, fixed) -> (events, lines, last_lines) | None"},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {
    PyModuleDef_HEAD_INIT, "_wholelines",
    "The live follower's whole-line fast path, compiled (see parsers/stream.py).", -1, methods,
    NULL, NULL, NULL, NULL,
};

PyMODINIT_FUNC PyInit__wholelines(void)
{
    no_postfix = PyUnicode_FromString("");
    if (!no_postfix)
        return NULL;
    PyObject *m = PyModule_Create(&module);
    if (m && PyModule_AddStringConstant(m, "SHAPES_SHA256", SHAPES_SHA256) < 0) {
        Py_DECREF(m);
        return NULL;
    }
    return m;
}
