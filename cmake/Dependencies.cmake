# Every dependency comes from a Debian 12 package (see scripts/deps.sh).
find_package(Threads REQUIRED)
find_package(Boost 1.81 EXACT REQUIRED COMPONENTS url)
find_package(OpenSSL REQUIRED)
find_package(nlohmann_json 3.10 REQUIRED)
find_package(spdlog REQUIRED)
find_package(PkgConfig REQUIRED)
pkg_check_modules(PQXX REQUIRED IMPORTED_TARGET libpqxx)
pkg_check_modules(HIREDIS REQUIRED IMPORTED_TARGET hiredis)
if(INBOX_JEMALLOC AND NOT INBOX_SANITIZE)
  pkg_check_modules(JEMALLOC REQUIRED IMPORTED_TARGET jemalloc)
endif()
find_path(CPP_JWT_INCLUDE_DIR jwt/jwt.hpp REQUIRED)

# Beast/Asio are header-only: one interface target carries their settings.
add_library(inbox_boost_net INTERFACE)
target_link_libraries(inbox_boost_net INTERFACE Boost::headers Boost::url OpenSSL::SSL OpenSSL::Crypto Threads::Threads)
target_compile_definitions(inbox_boost_net INTERFACE
  BOOST_ASIO_NO_DEPRECATED)

add_library(inbox_cpp_jwt INTERFACE)
target_include_directories(inbox_cpp_jwt SYSTEM INTERFACE ${CPP_JWT_INCLUDE_DIR})
target_link_libraries(inbox_cpp_jwt INTERFACE OpenSSL::Crypto nlohmann_json::nlohmann_json)

if(INBOX_BUILD_TESTS)
  find_package(GTest REQUIRED)
endif()
