/*
 * Copyright (C) 2026 The hvkit authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

/* Support for tests that boot the test guest (tests/guest), talk to its
 * serial console, run a bare QEMU or need a private network namespace.
 * See docs/design.md, "Test guest". */

#include "hv-test-console.h"
#include "hv-test-guest.h"
#include "hv-test-netns.h"
#include "hv-test-qemu.h"
