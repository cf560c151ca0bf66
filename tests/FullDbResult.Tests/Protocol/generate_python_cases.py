"""Writes python_cases.json: what Celery 5.2 itself makes of JSON args and kwargs.

For each case: `json` (compact JSON text, as a non-Python producer might write it),
`repr` (Celery's argsrepr/kwargsrepr: saferepr(args or (), 1024) or saferepr(kwargs or {}, 1024))
and `dumps` (kombu's json.dumps layout of the same value, as it goes into the message body;
null for raw cases, whose number literals Python would rewrite).

Run with Debian's python3-celery: /usr/bin/python3 generate_python_cases.py
"""
import json

from celery.app.amqp import AMQP
from celery.utils.saferepr import saferepr


class RawJson(str):
    """JSON text given as is, not written from a Python value."""


W = 'word '
ARGS = [
    [2, 3], [], ["it's", 'a\nb', 'back\\slash', '\u00e9\u4e2d\U0001F600', '"dq"'],
    [True, False, None], [1.0, 1e16, 1e15, 1e-5, 0.0001, 1.5e-7, -0.0, 3.141592653589793, 2.5e+300, 0.1, 5e-324],
    [123456789012345678901234567890, -7],
    # Raw JSON text: number literals that Python would write differently (our body keeps them verbatim).
    RawJson('[-0, 1E2, 1e400, 2.50, -1e-400]'),
    [[[[1]]]], [[1, [2, [3, [4]]]]], [[], {}, [[]], [{}]],
    ['x' * 1100], ['x' * 1021], ['x' * 1022], ['x' * 1023],
    [1234567890] * 120, [[1, 2]] * 200, [{'a': 'b'}] * 150, ['a', 'y' * 1016],
    ['\U0001F600' * 1100], [W * 300], ['\x7f\x01\t/</script>\u2028'],
]
KWARGS = [
    {}, {'z': 1}, {'a': {'b': {'c': {'d': 1}}}}, {'a': [1, {'b': [2, [3]]}]},
    {'k': W * 300}, {'k' * 1100: 1}, {'n%d' % i: i for i in range(200)},
    {'nested': {'list': [1, 2.5, None, True], 'text': '\u00fcber'}},
]


def case(value, top):
    if isinstance(value, RawJson):
        compact, value, dumps = str(value), json.loads(value), None
    else:
        compact = json.dumps(value, separators=(',', ':'), ensure_ascii=False)
        dumps = json.dumps(value)
    return {'json': compact, 'repr': saferepr(value or top, AMQP.argsrepr_maxsize), 'dumps': dumps}


with open('python_cases.json', 'w', encoding='utf-8') as f:
    json.dump({
        'args': [case(a, ()) for a in ARGS],
        'kwargs': [case(k, {}) for k in KWARGS],
    }, f, ensure_ascii=False, indent=1)
    f.write('\n')
