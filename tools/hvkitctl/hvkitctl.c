/*
 * Copyright (C) 2026 The hvkit authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#define G_LOG_DOMAIN "Hvkitctl"

#include "config.h"

#include <locale.h>
#include <stdlib.h>
#include <unistd.h>

#include <glib/gi18n.h>

#include "hvctl.h"

/* hvkitctl: hvkitd from a shell, through HvRemoteHypervisor
 * (docs/hvkitctl.1.md). Global options come before the command, the
 * command's own after it; `hvkitctl COMMAND --help` describes one. */

typedef gboolean (*HvctlCommandFunc) (HvctlContext *ctx,
                                      gint          argc,
                                      gchar       **argv,
                                      GError      **error);

typedef struct {
  const gchar *name;
  const gchar *parameters;
  const gchar *summary;
  HvctlCommandFunc func;
} HvctlCommand;

gint
hvctl_exit_status_for_error (const GError *error)
{
  if (error->domain == HV_ERROR)
    return HVCTL_EXIT_HV_ERROR_BASE + error->code;
  if (g_error_matches (error, G_DBUS_ERROR, G_DBUS_ERROR_ACCESS_DENIED) ||
      g_error_matches (error, G_DBUS_ERROR, G_DBUS_ERROR_AUTH_FAILED))
    return HVCTL_EXIT_ACCESS_DENIED;
  if (error->domain == G_DBUS_ERROR || error->domain == G_IO_ERROR)
    return HVCTL_EXIT_UNREACHABLE;
  if (error->domain == G_OPTION_ERROR)
    return HVCTL_EXIT_USAGE;
  return HVCTL_EXIT_FAILED;
}

static gboolean hvctl_json;
static gboolean hvctl_paused;

/* accepted before the command and after it */
static const GOptionEntry hvctl_output_entries[] = {
  { "json", 'j', 0, G_OPTION_ARG_NONE, &hvctl_json, N_("Print JSON"), NULL },
  { NULL }
};

static gboolean
hvctl_parse (gint           *argc,
             gchar        ***argv,
             const HvctlCommand *command,
             const GOptionEntry *entries,
             gint            n_args_min,
             gint            n_args_max,
             GError        **error)
{
  g_autoptr(GOptionContext) context = g_option_context_new (command->parameters);

  g_option_context_set_summary (context, _(command->summary));
  if (entries != NULL)
    g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  g_option_context_add_main_entries (context, hvctl_output_entries, GETTEXT_PACKAGE);
  if (!g_option_context_parse (context, argc, argv, error))
    return FALSE;
  if (*argc - 1 < n_args_min || *argc - 1 > n_args_max)
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_FAILED,
                   _("Usage: hvkitctl %s %s (see hvkitctl %s --help)"),
                   command->name, command->parameters, command->name);
      return FALSE;
    }
  return TRUE;
}

/* an instance by name: what hvkitd needs to find its record */
static HvInstance *
hvctl_instance (const gchar *name)
{
  return hv_instance_new (name);
}

static gboolean
hvctl_list (HvctlContext *ctx, gint argc, gchar **argv, GError **error)
{
  g_auto(GStrv) names = NULL;

  names = hv_hypervisor_list_instances (ctx->hypervisor, error);
  if (names == NULL)
    return FALSE;
  hvctl_print_strv (ctx, (const gchar * const *) names);
  return TRUE;
}

static gboolean
hvctl_info (HvctlContext *ctx, gint argc, gchar **argv, GError **error)
{
  g_autoptr(HvInstanceInfo) info = NULL;

  info = hv_hypervisor_get_instance_info_sync (ctx->hypervisor, argv[1], NULL, error);
  if (info == NULL)
    return FALSE;
  hvctl_print_variant (ctx, hv_instance_info_to_variant (info));
  return TRUE;
}

static gboolean
hvctl_start (HvctlContext *ctx, gint argc, gchar **argv, GError **error)
{
  g_autoptr(GVariant) spec = NULL;
  g_autoptr(HvInstance) instance = NULL;
  gboolean paused = hvctl_paused;

  spec = hvctl_parse_spec (argv[1], _("instance spec"), error);
  if (spec == NULL)
    return FALSE;
  instance = hv_instance_new_from_variant (spec, error);
  if (instance == NULL)
    return FALSE;
  return hv_hypervisor_start_instance_sync (ctx->hypervisor, instance, paused, NULL, error);
}

static gboolean hvctl_force;
static gint hvctl_timeout_s;

static gboolean
hvctl_stop (HvctlContext *ctx, gint argc, gchar **argv, GError **error)
{
  g_autoptr(HvInstance) instance = hvctl_instance (argv[1]);

  return hv_hypervisor_stop_instance_sync (ctx->hypervisor, instance, hvctl_force, FALSE,
                                           (guint) MAX (hvctl_timeout_s, 0), NULL, error);
}

static gboolean
hvctl_reboot (HvctlContext *ctx, gint argc, gchar **argv, GError **error)
{
  g_autoptr(HvInstance) instance = hvctl_instance (argv[1]);

  return hv_hypervisor_reboot_instance_sync (ctx->hypervisor, instance, NULL, error);
}

static gboolean
hvctl_cleanup (HvctlContext *ctx, gint argc, gchar **argv, GError **error)
{
  return hv_hypervisor_cleanup_instance_sync (ctx->hypervisor, argv[1], NULL, error);
}

static gint hvctl_seq;

static HvDevice *
hvctl_device (const gchar  *type,
              const gchar  *spec_text,
              GError      **error)
{
  g_autoptr(GVariant) spec = NULL;

  if (spec_text[0] != '{' && !g_str_equal (spec_text, "-") &&
      !g_file_test (spec_text, G_FILE_TEST_EXISTS))
    {
      /* a device by its uuid, as hvkitd knows it from the hot-add */
      g_autoptr(GVariantDict) dict = g_variant_dict_new (NULL);

      g_variant_dict_insert (dict, "uuid", "s", spec_text);
      spec = g_variant_ref_sink (g_variant_dict_end (dict));
    }
  else
    {
      spec = hvctl_parse_spec (spec_text, _("device spec"), error);
      if (spec == NULL)
        return NULL;
    }
  if (g_str_equal (type, "disk"))
    return HV_DEVICE (hv_disk_new_from_variant (spec, error));
  if (g_str_equal (type, "nic"))
    return HV_DEVICE (hv_nic_new_from_variant (spec, error));
  g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
               _("'%s' is not a device type: disk or nic"), type);
  return NULL;
}

static gboolean
hvctl_hotplug (HvctlContext *ctx, gint argc, gchar **argv, GError **error)
{
  g_autoptr(HvInstance) instance = NULL;
  g_autoptr(HvDevice) device = NULL;
  const gchar *action = argv[1];
  gboolean ok;

  if (argc != 5)
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_FAILED,
                   _("Usage: hvkitctl hotplug add|del|mod NAME disk|nic SPEC|UUID"));
      return FALSE;
    }
  instance = hvctl_instance (argv[2]);
  device = hvctl_device (argv[3], argv[4], error);
  if (device == NULL)
    return FALSE;
  if (g_str_equal (action, "add"))
    ok = hv_hypervisor_hot_add_device_sync (ctx->hypervisor, instance, device, hvctl_seq, NULL, error);
  else if (g_str_equal (action, "del"))
    ok = hv_hypervisor_hot_del_device_sync (ctx->hypervisor, instance, device, hvctl_seq, NULL, error);
  else if (g_str_equal (action, "mod"))
    ok = hv_hypervisor_hot_mod_device_sync (ctx->hypervisor, instance, device, hvctl_seq, NULL, error);
  else
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   _("'%s' is not a hotplug action: add, del or mod"), action);
      return FALSE;
    }
  if (ok && !g_str_equal (action, "del"))
    hvctl_print_variant (ctx, hv_device_to_variant (device));
  return ok;
}

static gboolean
hvctl_balloon (HvctlContext *ctx, gint argc, gchar **argv, GError **error)
{
  g_autoptr(HvInstance) instance = hvctl_instance (argv[1]);
  gint64 mib;

  if (!g_ascii_string_to_signed (argv[2], 10, 1, G_MAXINT32, &mib, error))
    {
      g_prefix_error (error, _("MIB: "));
      (*error)->domain = G_OPTION_ERROR;
      (*error)->code = G_OPTION_ERROR_BAD_VALUE;
      return FALSE;
    }
  return hv_hypervisor_balloon_instance_memory_sync (ctx->hypervisor, instance, mib, NULL, error);
}

static gboolean
hvctl_console (HvctlContext *ctx, gint argc, gchar **argv, GError **error)
{
  g_autoptr(HvInstance) instance = hvctl_instance (argv[1]);
  g_autoptr(HvConsole) console = NULL;

  console = hv_hypervisor_get_instance_console (ctx->hypervisor, instance, error);
  if (console == NULL)
    return FALSE;
  hvctl_print_variant (ctx, hv_console_to_variant (console));
  return TRUE;
}

static gboolean
hvctl_node_info (HvctlContext *ctx, gint argc, gchar **argv, GError **error)
{
  g_autoptr(HvNodeInfo) info = hv_hypervisor_get_node_info_sync (ctx->hypervisor, NULL, error);

  if (info == NULL)
    return FALSE;
  hvctl_print_variant (ctx, hv_node_info_to_variant (info));
  return TRUE;
}

static gchar *hvctl_check_spec;

static gboolean
hvctl_params (HvctlContext *ctx, gint argc, gchar **argv, GError **error)
{
  g_autoptr(GPtrArray) specs = NULL;
  g_auto(GVariantBuilder) builder = G_VARIANT_BUILDER_INIT (G_VARIANT_TYPE ("aa{sv}"));

  if (hvctl_check_spec != NULL)
    {
      g_autoptr(GVariant) hvparams = hvctl_parse_spec (hvctl_check_spec, _("hvparams"), error);

      if (hvparams == NULL ||
          !hv_hypervisor_check_parameter_syntax (ctx->hypervisor, hvparams, error) ||
          !hv_hypervisor_validate_parameters (ctx->hypervisor, hvparams, error))
        return FALSE;
      if (!ctx->json)
        g_print (_("The parameters are valid.\n"));
      return TRUE;
    }
  specs = hv_hypervisor_get_parameters (ctx->hypervisor);
  for (guint i = 0; i < specs->len; i++)
    {
      const HvParamSpec *spec = g_ptr_array_index (specs, i);
      g_auto(GVariantBuilder) dict = G_VARIANT_BUILDER_INIT (G_VARIANT_TYPE_VARDICT);
      g_autofree gchar *type = g_variant_type_dup_string (hv_param_spec_get_value_type (spec));

      if (!ctx->json)
        {
          g_print ("%-32s %-4s %-8s %s\n", hv_param_spec_get_name (spec), type,
                   hv_param_spec_get_required (spec) ? _("required") : "",
                   hv_param_spec_get_syntax_message (spec) != NULL
                   ? hv_param_spec_get_syntax_message (spec) : "");
          continue;
        }
      g_variant_builder_add (&dict, "{sv}", "name", g_variant_new_string (hv_param_spec_get_name (spec)));
      g_variant_builder_add (&dict, "{sv}", "type", g_variant_new_string (type));
      g_variant_builder_add (&dict, "{sv}", "required",
                             g_variant_new_boolean (hv_param_spec_get_required (spec)));
      g_variant_builder_add_value (&builder, g_variant_builder_end (&dict));
    }
  if (ctx->json)
    hvctl_print_variant (ctx, g_variant_builder_end (&builder));
  return TRUE;
}

static gboolean
hvctl_verify (HvctlContext *ctx, gint argc, gchar **argv, GError **error)
{
  if (!hv_hypervisor_verify_sync (ctx->hypervisor, NULL, error))
    return FALSE;
  if (!ctx->json)
    g_print (_("The node can run instances.\n"));
  return TRUE;
}

static gchar *hvctl_target_bus;
static gboolean hvctl_non_live;

static gboolean
hvctl_migrate_command (HvctlContext *ctx, gint argc, gchar **argv, GError **error)
{
  g_autoptr(HvInstance) instance = hvctl_instance (argv[1]);

  if (hvctl_target_bus == NULL)
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_FAILED,
                   _("hvkitctl migrate needs --target-bus, the bus of the target's hvkitd"));
      return FALSE;
    }
  return hvctl_migrate (ctx, instance, argv[2], hvctl_target_bus, !hvctl_non_live, error);
}

static GQuark hvctl_refused_quark (void);
G_DEFINE_QUARK (hvctl-refused-quark, hvctl_refused)

/* One line per instance found; --json: the HvAdoption dictionaries. Some
 * instance refused: exit status 1, as for a failure no other status
 * describes (the call itself succeeded). */
static gboolean
hvctl_adopt (HvctlContext *ctx, gint argc, gchar **argv, GError **error)
{
  g_autoptr(GPtrArray) adoptions = NULL;
  g_auto(GVariantBuilder) builder = G_VARIANT_BUILDER_INIT (G_VARIANT_TYPE ("aa{sv}"));
  guint refused = 0;

  adoptions = hv_hypervisor_adopt_instances_sync (ctx->hypervisor, argc > 1 ? argv[1] : NULL, NULL,
                                                  error);
  if (adoptions == NULL)
    return FALSE;
  for (guint i = 0; i < adoptions->len; i++)
    {
      HvAdoption *adoption = g_ptr_array_index (adoptions, i);
      g_autoptr(GVariant) dict = hv_adoption_to_variant (adoption);

      if (!hv_adoption_get_adopted (adoption))
        refused++;
      if (ctx->json)
        g_variant_builder_add_value (&builder, dict);
      else if (hv_adoption_get_adopted (adoption))
        g_print (_("%s adopted\n"), hv_adoption_get_name (adoption));
      else
        g_print (_("%s refused: %s\n"), hv_adoption_get_name (adoption),
                 hv_adoption_get_reason (adoption));
    }
  if (ctx->json)
    hvctl_print_variant (ctx, g_variant_builder_end (&builder));
  if (refused > 0)
    {
      g_set_error (error, hvctl_refused_quark (), 0,
                   g_dngettext (GETTEXT_PACKAGE, "%u instance refused", "%u instances refused",
                                refused), refused);
      return FALSE;
    }
  return TRUE;
}

static const HvctlCommand hvctl_commands[] = {
  { "list", "", N_("List the running instances"), hvctl_list },
  { "info", "NAME", N_("Show a running instance"), hvctl_info },
  { "start", "SPEC", N_("Start an instance from its JSON spec (text, file or -)"), hvctl_start },
  { "stop", "NAME", N_("Stop an instance"), hvctl_stop },
  { "reboot", "NAME", N_("Reboot an instance"), hvctl_reboot },
  { "cleanup", "NAME", N_("Remove what a stopped instance left behind"), hvctl_cleanup },
  { "hotplug", "add|del|mod NAME disk|nic SPEC|UUID",
    N_("Plug a device into a running instance, unplug it or change it"), hvctl_hotplug },
  { "balloon", "NAME MIB", N_("Change the memory of a running instance"), hvctl_balloon },
  { "console", "NAME", N_("Show how to reach an instance's console"), hvctl_console },
  { "node-info", "", N_("Show what this node offers instances"), hvctl_node_info },
  { "params", "", N_("List the hypervisor's parameters, or check some"), hvctl_params },
  { "verify", "", N_("Check that the node can run instances"), hvctl_verify },
  { "migrate", "NAME TARGET", N_("Migrate an instance to the hvkitd on another bus"),
    hvctl_migrate_command },
  { "adopt", "[GANETI-RUN-DIR]", N_("Take over the instances Ganeti's KVM driver started"),
    hvctl_adopt },
};

static const GOptionEntry hvctl_start_entries[] = {
  { "paused", 0, 0, G_OPTION_ARG_NONE, &hvctl_paused, N_("Leave the instance paused once started"), NULL },
  { NULL }
};

static const GOptionEntry hvctl_stop_entries[] = {
  { "force", 0, 0, G_OPTION_ARG_NONE, &hvctl_force, N_("Kill the instance instead of powering it off"), NULL },
  { "timeout", 0, 0, G_OPTION_ARG_INT, &hvctl_timeout_s, N_("Seconds to wait for the guest to power off"), N_("S") },
  { NULL }
};

static const GOptionEntry hvctl_hotplug_entries[] = {
  { "seq", 0, 0, G_OPTION_ARG_INT, &hvctl_seq, N_("The device's index among the instance's devices of its type"), N_("N") },
  { NULL }
};

static const GOptionEntry hvctl_params_entries[] = {
  { "check", 0, 0, G_OPTION_ARG_STRING, &hvctl_check_spec, N_("Check these hvparams (JSON) instead"), N_("SPEC") },
  { NULL }
};

static const GOptionEntry hvctl_migrate_entries[] = {
  { "target-bus", 0, 0, G_OPTION_ARG_STRING, &hvctl_target_bus, N_("The D-Bus address of the target's bus"), N_("ADDR") },
  { "non-live", 0, 0, G_OPTION_ARG_NONE, &hvctl_non_live, N_("Pause the instance while it migrates"), NULL },
  { NULL }
};

static const GOptionEntry *
hvctl_command_entries (const HvctlCommand *command,
                       gint               *n_min,
                       gint               *n_max)
{
  g_auto(GStrv) words = g_strsplit (command->parameters, " ", -1);
  gint n_args = command->parameters[0] != '\0' ? (gint) g_strv_length (words) : 0;

  /* as many arguments as words in the synopsis, the last optional in [] */
  *n_max = n_args;
  *n_min = n_args > 0 && words[n_args - 1][0] == '[' ? n_args - 1 : n_args;
  if (g_str_equal (command->name, "start"))
    return hvctl_start_entries;
  if (g_str_equal (command->name, "stop"))
    return hvctl_stop_entries;
  if (g_str_equal (command->name, "hotplug"))
    return hvctl_hotplug_entries;
  if (g_str_equal (command->name, "params"))
    return hvctl_params_entries;
  if (g_str_equal (command->name, "migrate"))
    return hvctl_migrate_entries;
  return NULL;
}

static GString *
hvctl_describe_commands (void)
{
  GString *text = g_string_new (_("Commands:\n"));

  for (gsize i = 0; i < G_N_ELEMENTS (hvctl_commands); i++)
    g_string_append_printf (text, "  %-10s %s\n", hvctl_commands[i].name, _(hvctl_commands[i].summary));
  g_string_append (text, _("\nhvkitctl COMMAND --help describes a command.\n\n"
                           "Exit status: 0 success, 1 other failure, 2 usage, 3 access denied,\n"
                           "4 hvkitd not reachable, 10+N the hvkit error of code N\n"
                           "(11 failed, 12 hotplug, 13 not supported, 14 invalid parameter,\n"
                           "15 not running, 16 already running, 17 monitor, 18 migration,\n"
                           "19 timeout, 20 runtime corrupt)."));
  return text;
}

static gint
hvctl_fail (const GError *error)
{
  g_printerr ("hvkitctl: %s\n", error->message);
  return hvctl_exit_status_for_error (error);
}

int
main (int    argc,
      char **argv)
{
  gboolean system_bus = FALSE, session_bus = FALSE, no_ask_password = FALSE;
  g_autofree gchar *address = NULL;
  g_autofree gchar *hypervisor_name = NULL;
  const GOptionEntry entries[] = {
    { "system", 0, 0, G_OPTION_ARG_NONE, &system_bus, N_("Talk to hvkitd on the system bus (the default)"), NULL },
    { "session", 0, 0, G_OPTION_ARG_NONE, &session_bus, N_("Talk to hvkitd on the session bus"), NULL },
    { "address", 0, 0, G_OPTION_ARG_STRING, &address, N_("Talk to hvkitd on the bus at ADDRESS"), N_("ADDRESS") },
    { "hypervisor", 'H', 0, G_OPTION_ARG_STRING, &hypervisor_name, N_("The hypervisor (default: kvm)"), N_("NAME") },
    { "json", 'j', 0, G_OPTION_ARG_NONE, &hvctl_json, N_("Print JSON"), NULL },
    { "no-ask-password", 0, 0, G_OPTION_ARG_NONE, &no_ask_password,
      N_("Do not let polkit ask for a password (asked only from a terminal)"), NULL },
    { NULL }
  };
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GString) commands = NULL;
  HvctlContext ctx = { NULL };
  const HvctlCommand *command = NULL;
  const GOptionEntry *command_entries;
  gint n_min, n_max;
  gboolean ok;

  setlocale (LC_ALL, "");
  bindtextdomain (GETTEXT_PACKAGE, HV_LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);

  context = g_option_context_new (_("COMMAND [ARGUMENTS…]"));
  g_option_context_set_summary (context, _("Manage instances through hvkitd."));
  commands = hvctl_describe_commands ();
  g_option_context_set_description (context, commands->str);
  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  /* options after the command are the command's */
  g_option_context_set_strict_posix (context, TRUE);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    return hvctl_fail (error);
  if (argc < 2)
    {
      g_autofree gchar *help = g_option_context_get_help (context, TRUE, NULL);

      g_printerr ("%s", help);
      return HVCTL_EXIT_USAGE;
    }
  for (gsize i = 0; i < G_N_ELEMENTS (hvctl_commands) && command == NULL; i++)
    if (g_str_equal (hvctl_commands[i].name, argv[1]))
      command = &hvctl_commands[i];
  if (command == NULL)
    {
      g_printerr (_("hvkitctl: unknown command '%s' (see hvkitctl --help)\n"), argv[1]);
      return HVCTL_EXIT_USAGE;
    }

  /* the command's own options and arguments: argv from the command on */
  {
    g_autofree gchar *program = g_strdup_printf ("hvkitctl %s", command->name);
    gint command_argc = argc - 1;
    gchar **command_argv = argv + 1;

    command_argv[0] = program;
    g_set_prgname (program);
    command_entries = hvctl_command_entries (command, &n_min, &n_max);
    if (!hvctl_parse (&command_argc, &command_argv, command, command_entries, n_min, n_max, &error))
      return hvctl_fail (error);
    argc = command_argc;
    argv = command_argv;
  }

  if ((system_bus ? 1 : 0) + (session_bus ? 1 : 0) + (address != NULL ? 1 : 0) > 1)
    {
      g_printerr (_("hvkitctl: give only one of --system, --session and --address\n"));
      return HVCTL_EXIT_USAGE;
    }
  ctx.json = hvctl_json;
  ctx.tty = isatty (STDOUT_FILENO);
  ctx.hypervisor_name = hypervisor_name != NULL ? hypervisor_name : g_strdup ("kvm");
  hypervisor_name = NULL;
  if (address != NULL)
    ctx.connection = g_dbus_connection_new_for_address_sync (address,
                                                             G_DBUS_CONNECTION_FLAGS_AUTHENTICATION_CLIENT |
                                                             G_DBUS_CONNECTION_FLAGS_MESSAGE_BUS_CONNECTION,
                                                             NULL, NULL, &error);
  else
    ctx.connection = g_bus_get_sync (session_bus ? G_BUS_TYPE_SESSION : G_BUS_TYPE_SYSTEM, NULL, &error);
  if (ctx.connection != NULL)
    ctx.hypervisor = HV_HYPERVISOR (hv_remote_hypervisor_new_sync (ctx.connection, ctx.hypervisor_name,
                                                                   NULL, &error));
  /* a person at a terminal may answer polkit's question (changes are
   * auth_admin_keep), through the polkit agent of their session */
  ctx.interactive = !no_ask_password && isatty (STDIN_FILENO);
  if (ctx.hypervisor != NULL)
    hv_remote_hypervisor_set_allow_interactive_authorization (HV_REMOTE_HYPERVISOR (ctx.hypervisor),
                                                              ctx.interactive);
  if (ctx.hypervisor == NULL)
    ok = FALSE;
  else
    ok = command->func (&ctx, argc, argv, &error);

  g_clear_object (&ctx.hypervisor);
  g_clear_object (&ctx.connection);
  g_free (ctx.hypervisor_name);
  if (!ok)
    return hvctl_fail (error);
  return HVCTL_EXIT_OK;
}
