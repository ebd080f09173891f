/*
 * Copyright (C) 2026 The hvkit authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

/* The module's entry point, and its only exported symbol. It lives in its
 * own file so that the tests, which link the plugin's static library, do
 * not carry it. */

#include "hv-kvm.h"

HV_PLUGIN_DEFINE ("kvm", hv_kvm_get_type);
