# Warnings and sanitizers as interface targets, applied to our own code only.
add_library(inbox_warnings INTERFACE)
target_compile_options(inbox_warnings INTERFACE -Wall -Wextra -Wpedantic -Wnon-virtual-dtor
                                                  -Wno-missing-field-initializers)  # designated initialisers name only what differs
# A local shadowing another local. Clang (the fuzz build) has no -Wshadow=local; its -Wshadow also covers members
# and globals.
if(CMAKE_CXX_COMPILER_ID STREQUAL "Clang")
  target_compile_options(inbox_warnings INTERFACE -Wshadow)
else()
  target_compile_options(inbox_warnings INTERFACE -Wshadow=local)
endif()
# GCC 12 reports false positives from libstdc++ inlines only when optimising (e.g. -Wrestrict in
# std::string::append, GCC bug 105651). They are off in optimised builds only: the debug and sanitizer builds that
# CI runs keep every warning as an error.
if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU" AND CMAKE_CXX_COMPILER_VERSION VERSION_LESS 13)
  target_compile_options(inbox_warnings INTERFACE
    $<$<NOT:$<CONFIG:Debug>>:-Wno-restrict -Wno-stringop-overflow -Wno-array-bounds -Wno-maybe-uninitialized>)
endif()
if(INBOX_WERROR)
  target_compile_options(inbox_warnings INTERFACE -Werror)
endif()

add_library(inbox_sanitizers INTERFACE)
if(INBOX_SANITIZE)
  target_compile_options(inbox_sanitizers INTERFACE -fsanitize=address,undefined -fno-omit-frame-pointer
                                                    -fno-sanitize-recover=undefined)
  target_link_options(inbox_sanitizers INTERFACE -fsanitize=address,undefined)
endif()
