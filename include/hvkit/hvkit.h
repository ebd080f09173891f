/*
 * Copyright (C) 2026 The hvkit authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#define __HVKIT_INSIDE__

#include <hvkit/hv-version.h>
#include <hvkit/hv-version-macros.h>
#include <hvkit/hv-error.h>
#include <hvkit/hv-runtime-store.h>
#include <hvkit/hv-device.h>
#include <hvkit/hv-disk.h>
#include <hvkit/hv-nic.h>
#include <hvkit/hv-instance.h>
#include <hvkit/hv-instance-info.h>
#include <hvkit/hv-migration-status.h>
#include <hvkit/hv-adoption.h>
#include <hvkit/hv-console.h>
#include <hvkit/hv-instance-name.h>
#include <hvkit/hv-nic-script.h>
#include <hvkit/hv-node-info.h>
#include <hvkit/hv-param-spec.h>
#include <hvkit/hv-hypervisor.h>
#include <hvkit/hv-plugin-loader.h>
#include <hvkit/hv-remote-hypervisor.h>
#include "hv-enum-types.h"

#undef __HVKIT_INSIDE__
