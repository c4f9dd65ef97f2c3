# Warnings and sanitizers as interface targets, applied to our own code only.
add_library(inbox_warnings INTERFACE)
target_compile_options(inbox_warnings INTERFACE -Wall -Wextra -Wpedantic -Wshadow=local -Wnon-virtual-dtor
                                                  -Wno-missing-field-initializers)  # designated initialisers name only what differs
if(INBOX_WERROR)
  target_compile_options(inbox_warnings INTERFACE -Werror)
endif()

add_library(inbox_sanitizers INTERFACE)
if(INBOX_SANITIZE)
  target_compile_options(inbox_sanitizers INTERFACE -fsanitize=address,undefined -fno-omit-frame-pointer
                                                    -fno-sanitize-recover=undefined)
  target_link_options(inbox_sanitizers INTERFACE -fsanitize=address,undefined)
endif()
