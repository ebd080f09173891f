/*
 * Copyright (C) 2026 The hvkit authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#if !defined(__HVKIT_DRIVER_INSIDE__) && !defined(HVKIT_COMPILATION)
#error "Only <hvkit/hvkit-driver.h> can be included directly."
#endif

#include <glib.h>

#include <hvkit/hv-version-macros.h>
#include <hvkit/hv-param-spec.h>

G_BEGIN_DECLS

/*
 * Driver-facing API: how a driver written in C describes its parameters.
 * It is C only (a static table of function pointers is no use to bindings)
 * and not part of the Hv GIR; bindings see the resulting #HvParamSpec
 * objects instead.
 */

/**
 * HvParamCheckFunc:
 * @value: the value of the parameter, of the type of its definition and
 *   never an unspecified (empty) string
 * @data: the @data of the #HvParamDef
 *
 * A syntax or node check of one parameter: Ganeti's check functions of the
 * hv_base parameter 5-tuples. A syntax check must not look at the world (it
 * runs wherever the parameters are edited); a node check may (is the file
 * there?) and runs on the node that will start the instance.
 *
 * Returns: %TRUE if @value passes
 *
 * Since: 1.0
 */
typedef gboolean (*HvParamCheckFunc) (GVariant      *value,
                                      gconstpointer  data);

/**
 * HvParamDef:
 * @name: the parameter's name, in Ganeti's spelling (`kernel_path`)
 * @type: its GVariant type string: `"s"`, `"b"` or `"x"`
 * @required: whether an unspecified value (the empty string) is refused
 * @syntax_check: (nullable): the syntax check, or %NULL for none
 * @syntax_message: (nullable): what a failing syntax check means, such as
 *   "must be an absolute normalized path"; %NULL with
 *   hv_param_check_in_set() builds "The value must be one of: …"
 * @node_check: (nullable): the node check, or %NULL for none
 * @node_message: (nullable): what a failing node check means
 * @data: (nullable): passed to both checks (the set of
 *   hv_param_check_in_set())
 *
 * One row of a driver's static parameter table, Ganeti's 5-tuple as a
 * struct. Messages are translated in hvkit's message catalog when the
 * #HvParamSpec is built; mark them with HV_N_() so they reach it.
 *
 * The `HV_PARAM_DEF_*` macros fill in the stock rows of hv_base
 * (`REQ_FILE_CHECK`, `OPT_DIR_CHECK`, `ParamInSet` …).
 *
 * Since: 1.0
 */
typedef struct {
  const gchar      *name;
  const gchar      *type;
  gboolean          required;
  HvParamCheckFunc  syntax_check;
  const gchar      *syntax_message;
  HvParamCheckFunc  node_check;
  const gchar      *node_message;
  gconstpointer     data;
} HvParamDef;

/**
 * HV_N_:
 * @String: a message
 *
 * Marks a parameter message for hvkit's message catalog without translating
 * it where it is written; the table functions translate it when they build
 * an error.
 *
 * Since: 1.0
 */
#define HV_N_(String) (String)

/* The stock messages of hv_base, word for word. */
#define HV_PARAM_MESSAGE_NORM_ABS_PATH HV_N_("must be an absolute normalized path")
#define HV_PARAM_MESSAGE_NORM_ABS_PATH_OR_URL HV_N_("must be an absolute normalized path or a URL")
#define HV_PARAM_MESSAGE_NOT_A_FILE HV_N_("not found or not a file")
#define HV_PARAM_MESSAGE_NOT_A_FILE_OR_URL HV_N_("not found or not a file or URL")
#define HV_PARAM_MESSAGE_NOT_A_DIR HV_N_("not found or not a directory")
#define HV_PARAM_MESSAGE_CPU_MASK HV_N_("CPU mask definition is not well-formed")
#define HV_PARAM_MESSAGE_MULTI_CPU_MASK HV_N_("Multiple CPU mask definition is not well-formed")
#define HV_PARAM_MESSAGE_PORT HV_N_("invalid port number")
#define HV_PARAM_MESSAGE_VIRTIO_NET_QUEUES HV_N_("invalid number of queues")
#define HV_PARAM_MESSAGE_NONNEGATIVE_INT HV_N_("cannot be negative")

/* Stock rows: REQ_/OPT_ FILE, FILE_OR_URL, DIR, CPU_MASK, MULTI_CPU_MASK,
 * NET_PORT, VIRTIO_NET_QUEUES, NONNEGATIVE_INT; ParamInSet; NO_CHECK and
 * REQUIRED_CHECK for strings, and plain booleans and integers. */
#define HV_PARAM_DEF_FILE(name, required) \
  { (name), "s", (required), hv_param_check_file, HV_PARAM_MESSAGE_NORM_ABS_PATH, \
    hv_param_check_is_file, HV_PARAM_MESSAGE_NOT_A_FILE, NULL }
#define HV_PARAM_DEF_FILE_OR_URL(name, required) \
  { (name), "s", (required), hv_param_check_file_or_url, HV_PARAM_MESSAGE_NORM_ABS_PATH_OR_URL, \
    hv_param_check_is_file_or_url, HV_PARAM_MESSAGE_NOT_A_FILE_OR_URL, NULL }
#define HV_PARAM_DEF_DIR(name, required) \
  { (name), "s", (required), hv_param_check_dir, HV_PARAM_MESSAGE_NORM_ABS_PATH, \
    hv_param_check_is_dir, HV_PARAM_MESSAGE_NOT_A_DIR, NULL }
#define HV_PARAM_DEF_CPU_MASK(name, required) \
  { (name), "s", (required), hv_param_check_cpu_mask, HV_PARAM_MESSAGE_CPU_MASK, NULL, NULL, NULL }
#define HV_PARAM_DEF_MULTI_CPU_MASK(name, required) \
  { (name), "s", (required), hv_param_check_multi_cpu_mask, HV_PARAM_MESSAGE_MULTI_CPU_MASK, \
    NULL, NULL, NULL }
#define HV_PARAM_DEF_PORT(name, required) \
  { (name), "x", (required), hv_param_check_port, HV_PARAM_MESSAGE_PORT, NULL, NULL, NULL }
#define HV_PARAM_DEF_VIRTIO_NET_QUEUES(name, required) \
  { (name), "x", (required), hv_param_check_virtio_net_queues, \
    HV_PARAM_MESSAGE_VIRTIO_NET_QUEUES, NULL, NULL, NULL }
#define HV_PARAM_DEF_NONNEGATIVE_INT(name, required) \
  { (name), "x", (required), hv_param_check_nonnegative_int, \
    HV_PARAM_MESSAGE_NONNEGATIVE_INT, NULL, NULL, NULL }
#define HV_PARAM_DEF_IN_SET(name, required, set) \
  { (name), "s", (required), hv_param_check_in_set, NULL, NULL, NULL, (set) }
#define HV_PARAM_DEF_STRING(name, required) \
  { (name), "s", (required), NULL, NULL, NULL, NULL, NULL }
#define HV_PARAM_DEF_BOOLEAN(name) \
  { (name), "b", FALSE, NULL, NULL, NULL, NULL, NULL }
#define HV_PARAM_DEF_INT(name) \
  { (name), "x", FALSE, NULL, NULL, NULL, NULL, NULL }

/* syntax checks */
HV_AVAILABLE_IN_1_0
gboolean   hv_param_check_file              (GVariant      *value,
                                             gconstpointer  data);
HV_AVAILABLE_IN_1_0
gboolean   hv_param_check_file_or_url       (GVariant      *value,
                                             gconstpointer  data);
HV_AVAILABLE_IN_1_0
gboolean   hv_param_check_dir               (GVariant      *value,
                                             gconstpointer  data);
HV_AVAILABLE_IN_1_0
gboolean   hv_param_check_cpu_mask          (GVariant      *value,
                                             gconstpointer  data);
HV_AVAILABLE_IN_1_0
gboolean   hv_param_check_multi_cpu_mask    (GVariant      *value,
                                             gconstpointer  data);
HV_AVAILABLE_IN_1_0
gboolean   hv_param_check_port              (GVariant      *value,
                                             gconstpointer  data);
HV_AVAILABLE_IN_1_0
gboolean   hv_param_check_virtio_net_queues (GVariant      *value,
                                             gconstpointer  data);
HV_AVAILABLE_IN_1_0
gboolean   hv_param_check_nonnegative_int   (GVariant      *value,
                                             gconstpointer  data);
HV_AVAILABLE_IN_1_0
gboolean   hv_param_check_in_set            (GVariant      *value,
                                             gconstpointer  data);

/* node checks */
HV_AVAILABLE_IN_1_0
gboolean   hv_param_check_is_file           (GVariant      *value,
                                             gconstpointer  data);
HV_AVAILABLE_IN_1_0
gboolean   hv_param_check_is_dir            (GVariant      *value,
                                             gconstpointer  data);
HV_AVAILABLE_IN_1_0
gboolean   hv_param_check_is_file_or_url    (GVariant      *value,
                                             gconstpointer  data);

/* helpers the checks are made of, for drivers' own checks */
HV_AVAILABLE_IN_1_0
gboolean   hv_param_is_norm_abs_path        (const gchar   *path);
HV_AVAILABLE_IN_1_0
gboolean   hv_param_is_url                  (const gchar   *str);

HV_AVAILABLE_IN_1_0
HvParamSpec *hv_param_spec_new_from_def     (const HvParamDef *def);
HV_AVAILABLE_IN_1_0
GPtrArray  *hv_param_specs_new_from_defs    (const HvParamDef *defs,
                                             gsize             n_defs);

G_END_DECLS
