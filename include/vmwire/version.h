/**
 * @file version.h
 * @brief Compile-time and run-time version of libvmwire.
 */
#ifndef VMWIRE_VERSION_H
#define VMWIRE_VERSION_H

#ifdef __cplusplus
extern "C" {
#endif

/** @brief Major version of the headers. */
#define VW_VERSION_MAJOR 0
/** @brief Minor version of the headers. */
#define VW_VERSION_MINOR 1
/** @brief Patch version of the headers. */
#define VW_VERSION_PATCH 0
/** @brief Version of the headers as 0xMMmmpp. */
#define VW_VERSION_NUM ((VW_VERSION_MAJOR << 16) | (VW_VERSION_MINOR << 8) | VW_VERSION_PATCH)

/**
 * @brief Version of the library linked at run time.
 * @return a static string such as `"0.1.0"`.
 */
const char *vw_version(void);

#ifdef __cplusplus
}
#endif

#endif /* VMWIRE_VERSION_H */
