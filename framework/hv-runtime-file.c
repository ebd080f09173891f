/*
 * Copyright (C) 2026 The hvkit authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#define G_LOG_DOMAIN "HvRuntimeStore"

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>

#include "hv-error.h"
#include "hv-instance-name.h"
#include "hv-runtime-store-private.h"

/* The file operations behind HvRuntimeStore: reading a record file with a
 * bound, replacing one atomically and durably, removing one. */

GBytes *
hv_runtime_file_read (const gchar  *path,
                      GError      **error)
{
  g_autofree guint8 *buffer = NULL;
  gsize length = 0;
  struct stat st;
  int fd;

  fd = open (path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NOFOLLOW);
  if (fd < 0)
    {
      int saved_errno = errno;

      if (saved_errno == ELOOP)
        g_set_error (error, HV_ERROR, HV_ERROR_RUNTIME_CORRUPT,
                     _("Runtime record '%s' is corrupt: %s"), path,
                     _("it is a symbolic link"));
      else
        g_set_error (error, HV_ERROR, HV_ERROR_FAILED,
                     _("Cannot read runtime record '%s': %s"), path,
                     g_strerror (saved_errno));
      return NULL;
    }

  if (fstat (fd, &st) != 0 || !S_ISREG (st.st_mode) || st.st_size > HV_RUNTIME_STORE_MAX_SIZE)
    {
      g_set_error (error, HV_ERROR, HV_ERROR_RUNTIME_CORRUPT,
                   _("Runtime record '%s' is corrupt: %s"), path,
                   _("it is not a regular file of at most 16 MiB"));
      close (fd);
      return NULL;
    }

  /* One byte more than the size, to notice a file that grew meanwhile. */
  buffer = g_malloc (st.st_size + 1);
  while (length < (gsize) st.st_size + 1)
    {
      gssize n = read (fd, buffer + length, st.st_size + 1 - length);

      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        {
          int saved_errno = errno;

          g_set_error (error, HV_ERROR, HV_ERROR_FAILED,
                       _("Cannot read runtime record '%s': %s"), path,
                       g_strerror (saved_errno));
          close (fd);
          return NULL;
        }
      if (n == 0)
        break;
      length += n;
    }
  close (fd);

  return g_bytes_new_take (g_steal_pointer (&buffer), length);
}

static gboolean
hv_runtime_sync_directory (const gchar  *directory,
                           GError      **error)
{
  int fd = open (directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

  if (fd < 0 || fsync (fd) != 0)
    {
      int saved_errno = errno;

      g_set_error (error, HV_ERROR, HV_ERROR_FAILED,
                   _("Cannot flush directory '%s': %s"), directory,
                   g_strerror (saved_errno));
      if (fd >= 0)
        close (fd);
      return FALSE;
    }
  close (fd);
  return TRUE;
}

gboolean
hv_runtime_directory_ensure (const gchar  *run_dir,
                             const gchar  *directory,
                             GError      **error)
{
  struct stat st;

  if (lstat (directory, &st) != 0)
    {
      if (g_mkdir_with_parents (run_dir, 0755) != 0
          || (mkdir (directory, 0700) != 0 && errno != EEXIST)
          || lstat (directory, &st) != 0)
        {
          int saved_errno = errno;

          g_set_error (error, HV_ERROR, HV_ERROR_FAILED,
                       _("Cannot create directory '%s': %s"), directory,
                       g_strerror (saved_errno));
          return FALSE;
        }
    }

  if (!S_ISDIR (st.st_mode))
    {
      g_set_error (error, HV_ERROR, HV_ERROR_FAILED,
                   _("Cannot use '%s' for runtime records: %s"), directory,
                   _("it is not a directory"));
      return FALSE;
    }

  /* The records hold command lines and parameters: only their owner reads
   * them. */
  if ((st.st_mode & 07777) != 0700 && chmod (directory, 0700) != 0)
    {
      int saved_errno = errno;

      g_set_error (error, HV_ERROR, HV_ERROR_FAILED,
                   _("Cannot set the mode of directory '%s': %s"), directory,
                   g_strerror (saved_errno));
      return FALSE;
    }

  return TRUE;
}

static gboolean
hv_runtime_write_all (int            fd,
                      const guint8  *data,
                      gsize          length)
{
  while (length > 0)
    {
      gssize n = write (fd, data, length);

      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        return FALSE;
      data += n;
      length -= n;
    }
  return TRUE;
}

/* The temporary file of a save of @path, in @directory: the name
 * hv_runtime_file_remove() cleans up after a crash. */
static gchar *
hv_runtime_temp_template (const gchar *directory,
                          const gchar *path)
{
  g_autofree gchar *basename = g_path_get_basename (path);

  return g_strdup_printf ("%s/.%s.XXXXXX", directory, basename);
}

gboolean
hv_runtime_file_is_temp_of (const gchar *directory,
                            const gchar *path,
                            const gchar *temp_path)
{
  g_autofree gchar *template = hv_runtime_temp_template (directory, path);
  gsize prefix = strlen (template) - strlen ("XXXXXX");

  return temp_path != NULL && strlen (temp_path) == strlen (template) &&
         strncmp (temp_path, template, prefix) == 0 && strchr (temp_path + prefix, '/') == NULL;
}

gchar *
hv_runtime_file_write_temp (const gchar  *directory,
                            const gchar  *path,
                            GBytes       *contents,
                            gboolean      durable,
                            GError      **error)
{
  g_autofree gchar *temp_path = hv_runtime_temp_template (directory, path);
  gsize length;
  const guint8 *data = g_bytes_get_data (contents, &length);
  int fd, saved_errno;

  fd = g_mkstemp_full (temp_path, O_RDWR | O_CLOEXEC, 0600);
  if (fd < 0)
    {
      saved_errno = errno;
      g_set_error (error, HV_ERROR, HV_ERROR_FAILED,
                   _("Cannot create a temporary file for '%s': %s"), path,
                   g_strerror (saved_errno));
      return NULL;
    }

  /* The temporary file must be whole and on disk before it replaces the
   * record: rename() is atomic, but without the fsync a crash could leave
   * the new name pointing at an empty file. */
  if (!hv_runtime_write_all (fd, data, length) || (durable && fsync (fd) != 0))
    {
      saved_errno = errno != 0 ? errno : EIO;
      close (fd);
      goto fail;
    }
  if (close (fd) != 0)
    {
      saved_errno = errno;
      goto fail;
    }
  return g_steal_pointer (&temp_path);

fail:
  g_unlink (temp_path);
  g_set_error (error, HV_ERROR, HV_ERROR_FAILED,
               _("Cannot write runtime record '%s': %s"), path,
               g_strerror (saved_errno));
  return NULL;
}

gboolean
hv_runtime_file_rename_in (const gchar  *directory,
                           const gchar  *temp_path,
                           const gchar  *path,
                           gboolean      durable,
                           GError      **error)
{
  if (rename (temp_path, path) != 0)
    {
      int saved_errno = errno;

      g_unlink (temp_path);
      g_set_error (error, HV_ERROR, HV_ERROR_FAILED,
                   _("Cannot write runtime record '%s': %s"), path,
                   g_strerror (saved_errno));
      return FALSE;
    }

  /* The rename itself is durable only once the directory is. */
  return !durable || hv_runtime_sync_directory (directory, error);
}

gboolean
hv_runtime_file_remove (const gchar  *directory,
                        const gchar  *path,
                        gboolean      durable,
                        GError      **error)
{
  g_autofree gchar *basename = g_path_get_basename (path);
  g_autofree gchar *temp_prefix = g_strdup_printf (".%s.", basename);
  g_autoptr(GDir) dir = NULL;
  const gchar *entry;

  if (g_unlink (path) != 0 && errno != ENOENT)
    {
      int saved_errno = errno;

      g_set_error (error, HV_ERROR, HV_ERROR_FAILED,
                   _("Cannot remove runtime record '%s': %s"), path,
                   g_strerror (saved_errno));
      return FALSE;
    }

  /* Temporary files of saves that a crash interrupted. */
  dir = g_dir_open (directory, 0, NULL);
  if (dir == NULL)
    return TRUE;
  while ((entry = g_dir_read_name (dir)) != NULL)
    {
      if (g_str_has_prefix (entry, temp_prefix)
          && strlen (entry) == strlen (temp_prefix) + 6)
        {
          g_autofree gchar *temp_path = g_build_filename (directory, entry, NULL);

          g_unlink (temp_path);
        }
    }

  return !durable || hv_runtime_sync_directory (directory, error);
}

static gint
hv_runtime_compare_names (gconstpointer a,
                          gconstpointer b)
{
  return strcmp (*(const gchar * const *) a, *(const gchar * const *) b);
}

/* The sorted instance names of the regular files "<name><suffix>" in
 * @directory; none when it does not exist. */
gchar **
hv_runtime_file_list (const gchar  *directory,
                      const gchar  *suffix,
                      GError      **error)
{
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GDir) dir = NULL;
  g_autoptr(GError) local_error = NULL;
  const gchar *entry;

  dir = g_dir_open (directory, 0, &local_error);
  if (dir == NULL && !g_error_matches (local_error, G_FILE_ERROR, G_FILE_ERROR_NOENT))
    {
      g_set_error (error, HV_ERROR, HV_ERROR_FAILED,
                   _("Cannot list the runtime records in %s: %s"), directory, local_error->message);
      return NULL;
    }

  while (dir != NULL && (entry = g_dir_read_name (dir)) != NULL)
    {
      g_autofree gchar *name = NULL;
      g_autofree gchar *path = NULL;
      struct stat st;

      if (!g_str_has_suffix (entry, suffix))
        continue;
      name = g_strndup (entry, strlen (entry) - strlen (suffix));
      if (!hv_instance_name_validate (name, NULL))
        continue;
      path = g_build_filename (directory, entry, NULL);
      if (lstat (path, &st) != 0 || !S_ISREG (st.st_mode))
        continue;
      g_ptr_array_add (names, g_steal_pointer (&name));
    }

  g_ptr_array_sort (names, hv_runtime_compare_names);
  g_ptr_array_add (names, NULL);
  return (gchar **) g_ptr_array_free (g_steal_pointer (&names), FALSE);
}
