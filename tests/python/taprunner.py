#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Runs the unittest cases of one test module and reports them as TAP.

meson reads TAP; Debian 12 has no pytest plugin for it, and unittest is all
these tests need.  Usage: taprunner.py MODULE_PATH
"""

import importlib.util
import os
import sys
import traceback
import unittest


class TapResult(unittest.TestResult):
    def __init__(self):
        super().__init__()
        self.count = 0

    def _line(self, ok, test, extra=''):
        self.count += 1
        status = 'ok' if ok else 'not ok'
        print(f'{status} {self.count} - {test.id()}{extra}', flush=True)

    def addSuccess(self, test):
        super().addSuccess(test)
        self._line(True, test)

    def addSkip(self, test, reason):
        super().addSkip(test, reason)
        self._line(True, test, f' # SKIP {reason}')

    def _fail(self, test, err, kind):
        self._line(False, test)
        for line in ''.join(traceback.format_exception(*err)).splitlines():
            print(f'# {line}')
        sys.stdout.flush()

    def addFailure(self, test, err):
        super().addFailure(test, err)
        self._fail(test, err, 'failure')

    def addError(self, test, err):
        super().addError(test, err)
        self._fail(test, err, 'error')

    def addSubTest(self, test, subtest, err):
        # a failed subtest is a failed test line of its own, with its trace
        super().addSubTest(test, subtest, err)
        if err is not None:
            self._fail(subtest, err, 'failure')

    def addExpectedFailure(self, test, err):
        super().addExpectedFailure(test, err)
        self._line(True, test, ' # TODO expected failure')

    def addUnexpectedSuccess(self, test):
        super().addUnexpectedSuccess(test)
        self._line(False, test, ' # unexpected success')


def main():
    path = sys.argv[1]
    name = os.path.splitext(os.path.basename(path))[0]
    sys.path.insert(0, os.path.dirname(os.path.abspath(path)))
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    suite = unittest.defaultTestLoader.loadTestsFromModule(module)
    print('TAP version 13')
    print(f'1..{suite.countTestCases()}', flush=True)
    result = TapResult()
    suite.run(result)
    return 0 if result.wasSuccessful() else 1


if __name__ == '__main__':
    sys.exit(main())
