/*
 * Copyright (C) 2026 The hvkit authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include <glib/gi18n-lib.h>

/* A library must bind its own text domain: the program that loads it (a node
 * agent, python3, hvkitd) only binds its own. Doing it when the library is
 * loaded means no translated message can be built before the binding. */
__attribute__((constructor)) static void
hv_i18n_init (void)
{
  bindtextdomain (GETTEXT_PACKAGE, HV_LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
}
