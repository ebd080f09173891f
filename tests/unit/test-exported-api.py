#!/usr/bin/env python3
# Copyright (C) 2026 The hvkit authors
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# libhvkit exports its API and nothing else. The API is what the GIR
# declares (functions, methods, constructors, get-type functions) plus the
# C-only driver API: the functions declared in the headers that
# hvkit-driver.h includes besides hvkit.h. Fails listing every exported
# symbol that nothing declares (an internal leaking out) and every declared
# one that is not exported (a declaration without HV_AVAILABLE_IN_*).
#
# Usage: test-exported-api.py NM LIBRARY GIR DRIVER_HEADER INCLUDE_DIR...

import os
import re
import subprocess
import sys
import xml.etree.ElementTree as ET

CORE_NS = "http://www.gtk.org/introspection/core/1.0"
C_NS = "http://www.gtk.org/introspection/c/1.0"
GLIB_NS = "http://www.gtk.org/introspection/glib/1.0"

# GIR elements whose c:identifier is a symbol of the library; the others
# (enum members, function macros) name constants and macros.
GIR_FUNCTIONS = ("function", "method", "constructor")


def symbols_exported(nm, library):
    out = subprocess.run(
        [nm, "--dynamic", "--defined-only", library],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    symbols = set()
    for line in out.splitlines():
        fields = line.split()
        if len(fields) >= 3:
            symbols.add(fields[2].split("@")[0])
    return symbols


def symbols_from_gir(path):
    symbols = set()
    for element in ET.parse(path).iter():
        tag = element.tag.rpartition("}")[2]
        if tag in GIR_FUNCTIONS:
            identifier = element.get("{%s}identifier" % C_NS)
            if identifier:
                symbols.add(identifier)
        get_type = element.get("{%s}get-type" % GLIB_NS)
        if get_type and get_type != "intern":
            symbols.add(get_type)
    return symbols


def strip_c(text):
    """The declarations of a header: no comments, no preprocessor lines."""
    text = re.sub(r"/\*.*?\*/", " ", text, flags=re.S)
    text = re.sub(r"//[^\n]*", " ", text)
    text = re.sub(r"^[ \t]*#(?:[^\n]*\\\n)*[^\n]*", " ", text, flags=re.M)
    return text


def functions_declared(path):
    """Names of the functions a header declares at file scope: every
    statement outside braces that is not a typedef and names an hv_
    function. G_DECLARE_* lines declare get-type functions."""
    text = strip_c(open(path, encoding="utf-8").read())
    names = set()
    depth = 0
    statement = ""
    for char in text:
        if char == "{":
            depth += 1
        elif char == "}":
            depth -= 1
            if depth == 0:
                statement = ""
            continue
        if depth:
            continue
        if char == ";":
            names |= function_of_statement(statement)
            statement = ""
        else:
            statement += char
    names |= function_of_statement(statement)
    return names


def function_of_statement(statement):
    statement = " ".join(statement.split())
    macro = re.search(r"\bG_DECLARE_\w+ ?\( ?\w+ ?, ?(\w+) ?,", statement)
    if macro:
        return {macro.group(1) + "_get_type"}
    if re.match(r"(?:G_BEGIN_DECLS\s*)?typedef\b", statement):
        return set()
    match = re.search(r"\b(hv_\w+)\s*\(", statement)
    return {match.group(1)} if match else set()


def find_header(name, include_dirs):
    for directory in include_dirs:
        path = os.path.join(directory, name)
        if os.path.exists(path):
            return path
    raise FileNotFoundError("%s not in %s" % (name, " ".join(include_dirs)))


def symbols_from_driver_headers(driver_header, include_dirs):
    """The functions of the headers hvkit-driver.h includes, hvkit.h (the
    GIR's part) left out."""
    symbols = set()
    text = open(driver_header, encoding="utf-8").read()
    for name in re.findall(r"#include\s*<(hvkit/[^>]+)>", text):
        if name == "hvkit/hvkit.h":
            continue
        symbols |= functions_declared(find_header(name, include_dirs))
    return symbols


def main(argv):
    nm, library, gir, driver_header = argv[1:5]
    include_dirs = argv[5:]

    exported = symbols_exported(nm, library)
    from_gir = symbols_from_gir(gir)
    from_driver = symbols_from_driver_headers(driver_header, include_dirs)
    declared = from_gir | from_driver

    checks = [
        (
            "every exported symbol is declared by the GIR or the driver headers",
            sorted(exported - declared),
            "exported but not API",
        ),
        (
            "every declared symbol is exported",
            sorted(declared - exported),
            "declared but not exported (HV_AVAILABLE_IN_* missing?)",
        ),
    ]
    print("1..%d" % len(checks))
    failed = False
    for number, (description, wrong, why) in enumerate(checks, 1):
        if wrong:
            failed = True
            print("not ok %d - %s" % (number, description))
            for symbol in wrong:
                print("# %s: %s" % (why, symbol))
        else:
            print("ok %d - %s" % (number, description))
    print(
        "# %d exported: %d from the GIR, %d from the driver headers"
        % (len(exported), len(from_gir), len(from_driver))
    )
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
