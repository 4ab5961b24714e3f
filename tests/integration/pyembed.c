// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * pyembed: the smallest program that embeds CPython, linked against
 * Debian's libpython3.11.so (pkg-config python3-embed): the interpreter's
 * code, PyImport_ImportModuleLevelObject included, is in the shared
 * library this program names in DT_NEEDED, not in the program. Runs as
 * python3 would: pyembed script.py, pyembed -c CODE.
 */
#include <Python.h>

int main(int argc, char **argv)
{
	return Py_BytesMain(argc, argv);
}
