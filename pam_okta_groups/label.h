/*
 * label.h - the SELinux label of a group file, kept on its replacement
 * as shadow's commonio does. libselinux is included by label.c only;
 * built without it, these do nothing.
 */
#ifndef POG_LABEL_H
#define POG_LABEL_H

#include <stdbool.h>

#include "pog.h"

/* Whether this build copies labels (configure found libselinux). */
bool pog_label_supported(void);

/*
 * Gives fd the SELinux context of the file at ref. A ref without a
 * label, or a build without libselinux, is not an error. A label that
 * cannot be set is one while SELinux is enabled (*errmsg, malloc'd,
 * says why); with SELinux disabled it is skipped.
 */
pog_err pog_label_copy(const char *ref, int fd, char **errmsg);

#endif /* POG_LABEL_H */
