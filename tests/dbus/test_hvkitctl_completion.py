# SPDX-License-Identifier: LGPL-2.1-or-later
"""data/hvkitctl.bash-completion in bash with Debian's bash-completion:
commands, each command's options, hotplug's words."""

import os
import unittest

from gi.repository import Gio

BASH_COMPLETION = '/usr/share/bash-completion/bash_completion'
SCRIPT = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..', 'data',
                      'hvkitctl.bash-completion')

PROBE = '''
source "$1"; source "$2"; shift 2
COMP_WORDS=("$@"); COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
COMP_LINE="$*"; COMP_POINT=${#COMP_LINE}; COMPREPLY=()
_hvkitctl
printf '%s\\n' "${COMPREPLY[@]}"
'''


class CompletionTest(unittest.TestCase):
    def complete(self, *words):
        if not os.path.exists(BASH_COMPLETION):
            self.skipTest('bash-completion is not installed')
        process = Gio.Subprocess.new(['bash', '-c', PROBE, 'probe', BASH_COMPLETION, SCRIPT,
                                      'hvkitctl'] + list(words),
                                     Gio.SubprocessFlags.STDOUT_PIPE)
        _, out, _ = process.communicate_utf8(None, None)
        self.assertEqual(process.get_exit_status(), 0)
        return sorted(out.split())

    def test_commands(self):
        self.assertEqual(self.complete('st'), ['start', 'stop'])
        self.assertIn('node-info', self.complete(''))
        self.assertEqual(self.complete('ad'), ['adopt'])
        self.assertIn('--session', self.complete(''))

    def test_command_options(self):
        self.assertEqual(self.complete('stop', 'web1', '--'),
                         ['--force', '--help', '--json', '--timeout'])
        self.assertEqual(self.complete('--json', 'migrate', 'web1', 'node2', '--t'),
                         ['--target-bus'])

    def test_hotplug_words(self):
        self.assertEqual(self.complete('hotplug', ''), ['add', 'del', 'mod'])
        self.assertEqual(self.complete('hotplug', 'add', 'web1', ''), ['disk', 'nic'])


if __name__ == '__main__':
    unittest.main()
