/**
 * @file ic.h
 * @brief Hyper-V Integration Components (IC): wire codecs, rules and engines.
 *
 * The IC services (heartbeat, shutdown, time sync, KVP, VSS) exchange small
 * messages over VMBus pipes. Every packet is an 8-byte pipe header, a 20-byte
 * IC header and a service body; spec/ic.md is the normative description and
 * names every rule this header refers to (`IC-HDR-*`, `IC-NEG-*`, ...).
 *
 * Layers, bottom up:
 * - wire: decoders (zero-copy views into the caller's buffer, bounds-checked,
 *   `size_t *off` receives the bytes consumed or the fault offset) and
 *   encoders (into a caller buffer; with a short buffer they return
 *   ::VW_E_NOSPACE and report the size needed);
 * - rules: vw_ic_message_validate() applies the protocol rules of a profile;
 * - engines: ::vw_ic_guest (the guest responder of one service) and
 *   ::vw_ic_host (the host initiator of one service).
 *
 * Where the two reference implementations differ (Linux and OpenVMM), the
 * caller picks a ::vw_ic_profile. The default profile is ::VW_IC_PROFILE_LINUX
 * (value 0, so a zero-initialised configuration selects it).
 */
#ifndef VMWIRE_IC_H
#define VMWIRE_IC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vmwire/status.h"
#include "vmwire/engine.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ===================================================================== */
/* Sizes and limits                                                      */
/* ===================================================================== */

/** @brief Size of the VMBus pipe header that precedes every IC message (IC-PIPE-1). */
#define VW_IC_PIPE_HEADER_SIZE 8u
/** @brief Size of the IC message header (IC-HDR-1). */
#define VW_IC_HEADER_SIZE 20u
/** @brief Largest pipe payload (pipe header excluded) both sources define; vmwire's decoder limit (IC-PIPE-4). */
#define VW_IC_MAX_PIPE_PAYLOAD 16384u
/** @brief Size of a guest engine's packet buffer: pipe header and largest payload (linux clamps below it, IC-PROF-12). */
#define VW_IC_MAX_PACKET (VW_IC_PIPE_HEADER_SIZE + VW_IC_MAX_PIPE_PAYLOAD)
/** @brief Largest IC message (header and body) an OpenVMM endpoint reads (IC-PIPE-5, MAX_MESSAGE_SIZE). */
#define VW_IC_OPENVMM_MAX_MESSAGE 13312u
/** @brief Maximum framework or message version count in a negotiate body (IC-NEG-3). */
#define VW_IC_NEGOTIATE_MAX_COUNT 100u
/** @brief Size of the fixed part of a negotiate body (counts and reserved). */
#define VW_IC_NEGOTIATE_FIXED_SIZE 8u
/** @brief Heartbeat body size of the OpenVMM layout (IC-HB-1). */
#define VW_IC_HEARTBEAT_SIZE_OPENVMM 16u
/** @brief Heartbeat body size of the Linux layout (IC-HB-1). */
#define VW_IC_HEARTBEAT_SIZE_LINUX 40u
/** @brief Shutdown body size (IC-SD-1). */
#define VW_IC_SHUTDOWN_SIZE 2060u
/** @brief Size of the shutdown display message field. */
#define VW_IC_SHUTDOWN_MESSAGE_SIZE 2048u
/** @brief Pre-4.0 time sync body size, OpenVMM layout (IC-TS-1). */
#define VW_IC_TIMESYNC_SIZE_OPENVMM 28u
/** @brief Pre-4.0 time sync body size, Linux layout (IC-TS-1). */
#define VW_IC_TIMESYNC_SIZE_LINUX 25u
/** @brief 4.0 time sync body size, OpenVMM layout (IC-TS-2). */
#define VW_IC_TIMESYNC4_SIZE_OPENVMM 24u
/** @brief 4.0 time sync body size, Linux layout (IC-TS-2). */
#define VW_IC_TIMESYNC4_SIZE_LINUX 22u
/** @brief Capacity of a KVP key field in bytes (256 UTF-16 units, NUL included) (IC-KVP-5). */
#define VW_IC_KVP_MAX_KEY_SIZE 512u
/** @brief Capacity of a KVP value field in bytes (IC-KVP-6). */
#define VW_IC_KVP_MAX_VALUE_SIZE 2048u
/** @brief Size of a KVP value record (type, sizes, key, value). */
#define VW_IC_KVP_VALUE_RECORD_SIZE 2572u
/** @brief Size of the OpenVMM KVP message for get, set, delete and enumerate (IC-KVP-2). */
#define VW_IC_KVP_MESSAGE_SIZE 2580u
/** @brief Size of the KVP IP-info message (IC-KVP-2). */
#define VW_IC_KVP_IP_MESSAGE_SIZE 7428u
/** @brief sizeof(struct hv_kvp_msg), Linux's kernel-to-agent KVP structure: not a wire size, since Linux
 *  echoes the host's packet with the host's length (IC-KVP-2). */
#define VW_IC_KVP_LINUX_MESSAGE_SIZE 7430u
/** @brief Size of the string-form IP-info record. */
#define VW_IC_KVP_IP_STRING_SIZE 7426u
/** @brief Size of the binary-form IP-info record. */
#define VW_IC_KVP_IP_BINARY_SIZE 3712u
/** @brief Maximum address (and subnet, DNS) entries of the binary IP-info record per family. */
#define VW_IC_KVP_IP_MAX_ADDRESSES 64u
/** @brief Maximum gateway entries of the binary IP-info record per family. */
#define VW_IC_KVP_IP_MAX_GATEWAYS 5u
/** @brief Basic VSS body size, Linux layout (IC-VSS-2). */
#define VW_IC_VSS_SIZE_LINUX 12u
/** @brief Basic VSS body size, OpenVMM layout (IC-VSS-2). */
#define VW_IC_VSS_SIZE_OPENVMM 39u
/** @brief Size of the VSS freeze / auto-recover body with LUN list (IC-VSS-3). */
#define VW_IC_VSS_FREEZE_SIZE 6260u
/** @brief Size of the VSS freeze body with LUN and shadow LUN lists (IC-VSS-3). */
#define VW_IC_VSS_FREEZE_EX_SIZE 12500u
/** @brief Size of the VSS cluster-information body (IC-VSS-4). */
#define VW_IC_VSS_CLUSTER_SIZE 7312u
/** @brief Size of the VSS cluster-information body with last move time (IC-VSS-4). */
#define VW_IC_VSS_CLUSTER_EX_SIZE 7320u
/** @brief Size of one VSS LUN record (IC-VSS-5). */
#define VW_IC_VSS_LUN_SIZE 24u
/** @brief Number of LUN records in a VSS LUN list (IC-VSS-3). */
#define VW_IC_VSS_MAX_LUNS 260u
/** @brief Most versions a guest or host configuration may list per kind. */
#define VW_IC_MAX_CONFIG_VERSIONS 8u

/* ===================================================================== */
/* Constants                                                             */
/* ===================================================================== */

/** @brief Pipe packet type of a data packet, the only one IC uses (IC-PIPE-2). */
#define VW_IC_PIPE_DATA 1u
/** @brief Pipe packet type of a partial packet (byte mode only). */
#define VW_IC_PIPE_PARTIAL 2u
/** @brief Pipe packet type of a GPA-direct setup packet. */
#define VW_IC_PIPE_SETUP_GPA_DIRECT 3u
/** @brief Pipe packet type of a GPA-direct teardown packet. */
#define VW_IC_PIPE_TEARDOWN_GPA_DIRECT 4u

/** @brief IC message types (header offset 4, IC-HDR-4). */
enum vw_ic_msgtype {
    VW_IC_MSG_NEGOTIATE = 0,       /**< version negotiation */
    VW_IC_MSG_HEARTBEAT = 1,       /**< heartbeat */
    VW_IC_MSG_KVP = 2,             /**< key-value pair exchange */
    VW_IC_MSG_SHUTDOWN = 3,        /**< shutdown */
    VW_IC_MSG_TIMESYNC = 4,        /**< time synchronisation */
    VW_IC_MSG_VSS = 5,             /**< volume shadow copy (backup) */
    VW_IC_MSG_RDV = 6,             /**< remote desktop virtualisation (named by OpenVMM only, no body defined) */
    VW_IC_MSG_FCOPY = 7,           /**< file copy (Linux daemon, IC-FCOPY-*; decoded as raw bytes) / guest interface (OpenVMM) */
    VW_IC_MSG_VM_SESSION = 8       /**< VM session (named by OpenVMM only, no body defined) */
};

/** @brief Header flag: the sender expects a response (IC-HDR-6). */
#define VW_IC_FLAG_TRANSACTION 0x01u
/** @brief Header flag: the message is a request (IC-HDR-6). */
#define VW_IC_FLAG_REQUEST 0x02u
/** @brief Header flag: the message is a response (IC-HDR-6). */
#define VW_IC_FLAG_RESPONSE 0x04u
/** @brief All defined header flag bits. */
#define VW_IC_FLAGS_DEFINED 0x07u

/** @brief IC status: success. */
#define VW_IC_S_OK 0x00000000u
/** @brief IC status: unspecified failure (E_FAIL). */
#define VW_IC_E_FAIL 0x80004005u
/** @brief IC status: no more items (OpenVMM name; Linux calls it HV_S_CONT). */
#define VW_IC_E_NO_MORE_ITEMS 0x80070103u
/** @brief IC status: not supported. */
#define VW_IC_E_NOT_SUPPORTED 0x80070032u
/** @brief IC status: not found (Linux HV_GUID_NOTFOUND). */
#define VW_IC_E_NOT_FOUND 0x80041002u
/** @brief IC status: machine locked (Linux only). */
#define VW_IC_E_MACHINE_LOCKED 0x800704F7u
/** @brief IC status: device not connected (Linux only). */
#define VW_IC_E_DEVICE_NOT_CONNECTED 0x8007048Fu
/** @brief IC status: invalid argument (Linux only). */
#define VW_IC_E_INVALIDARG 0x80070057u
/** @brief IC status: already exists (Linux only). */
#define VW_IC_E_ALREADY_EXISTS 0x80070050u
/** @brief IC status: disk full (newer Linux only). */
#define VW_IC_E_DISK_FULL 0x80070070u

/** @brief Heartbeat application state: unknown (OpenVMM layout). */
#define VW_IC_HB_STATE_UNKNOWN 0u
/** @brief Heartbeat application state: healthy. */
#define VW_IC_HB_STATE_HEALTHY 1u
/** @brief Heartbeat application state: critical. */
#define VW_IC_HB_STATE_CRITICAL 2u
/** @brief Heartbeat application state: stopped. */
#define VW_IC_HB_STATE_STOPPED 3u

/** @brief Shutdown flag: force (IC-SD-3). */
#define VW_IC_SD_FLAG_FORCE 0x1u
/** @brief Shutdown flag: restart (IC-SD-3). */
#define VW_IC_SD_FLAG_RESTART 0x2u
/** @brief Shutdown flag: hibernate (IC-SD-3). */
#define VW_IC_SD_FLAG_HIBERNATE 0x4u
/** @brief Shutdown reason the OpenVMM host sends (SHTDN_REASON_FLAG_PLANNED). */
#define VW_IC_SD_REASON_PLANNED 0x80000000u

/** @brief Time sync flag: set the clock now (IC-TS-3). */
#define VW_IC_TS_FLAG_SYNC 0x01u
/** @brief Time sync flag: a periodic sample (IC-TS-3). */
#define VW_IC_TS_FLAG_SAMPLE 0x02u
/** @brief FILETIME of the Unix epoch: 100 ns units from 1601-01-01 to 1970-01-01 (IC-TS-4). */
#define VW_IC_FILETIME_UNIX_EPOCH 116444736000000000ull

/** @brief KVP operations (KVP body offset 0, IC-KVP-3). */
enum vw_ic_kvp_op {
    VW_IC_KVP_OP_GET = 0,         /**< get a value by key */
    VW_IC_KVP_OP_SET = 1,         /**< set a value */
    VW_IC_KVP_OP_DELETE = 2,      /**< delete a key */
    VW_IC_KVP_OP_ENUMERATE = 3,   /**< enumerate a pool by index */
    VW_IC_KVP_OP_GET_IP_INFO = 4, /**< get the IP configuration of an adapter */
    VW_IC_KVP_OP_SET_IP_INFO = 5  /**< set the IP configuration of an adapter */
};

/** @brief KVP pools (KVP body offset 1, IC-KVP-4). */
enum vw_ic_kvp_pool {
    VW_IC_KVP_POOL_EXTERNAL = 0,     /**< written by the host */
    VW_IC_KVP_POOL_GUEST = 1,        /**< written by the guest */
    VW_IC_KVP_POOL_AUTO = 2,         /**< generated by the guest */
    VW_IC_KVP_POOL_AUTO_EXTERNAL = 3,/**< generated by the host */
    VW_IC_KVP_POOL_AUTO_INTERNAL = 4 /**< Linux only; never exchanged by OpenVMM */
};

/** @brief KVP value types (IC-KVP-7, IC-PROF-9). */
enum vw_ic_kvp_type {
    VW_IC_KVP_TYPE_STRING = 1,        /**< UTF-16LE string, NUL terminated (REG_SZ) */
    VW_IC_KVP_TYPE_EXPAND_STRING = 2, /**< OpenVMM only: expandable string */
    VW_IC_KVP_TYPE_DWORD = 4,         /**< 32-bit little-endian integer */
    VW_IC_KVP_TYPE_U64_LINUX = 8,     /**< Linux REG_U64: 64-bit integer */
    VW_IC_KVP_TYPE_QWORD = 11         /**< OpenVMM / Windows REG_QWORD: 64-bit integer */
};

/** @brief VSS operations (VSS body offset 0, IC-VSS-6). */
enum vw_ic_vss_op {
    VW_IC_VSS_OP_CREATE = 0,           /**< create a snapshot */
    VW_IC_VSS_OP_DELETE = 1,           /**< delete a snapshot */
    VW_IC_VSS_OP_HOT_BACKUP = 2,       /**< check hot backup support */
    VW_IC_VSS_OP_GET_DM_INFO = 3,      /**< get direct-mapped device info */
    VW_IC_VSS_OP_BU_COMPLETE = 4,      /**< backup complete (4.0 and later) */
    VW_IC_VSS_OP_FREEZE = 5,           /**< freeze applications (5.0 and later) */
    VW_IC_VSS_OP_THAW = 6,             /**< thaw applications (5.0 and later) */
    VW_IC_VSS_OP_AUTO_RECOVER = 7,     /**< auto recover (5.0 and later) */
    VW_IC_VSS_OP_CLUSTER_INFO = 8      /**< query guest cluster information (OpenVMM, 6.0 and later) */
};

/** @brief File-copy operations (linux hv_fcopy_uio_daemon, body offset 0 as u32, IC-FCOPY-2). */
enum vw_ic_fcopy_op {
    VW_IC_FCOPY_START = 0,    /**< START_FILE_COPY: file and path name, flags, size */
    VW_IC_FCOPY_WRITE = 1,    /**< WRITE_TO_FILE: offset, size, data */
    VW_IC_FCOPY_COMPLETE = 2, /**< COMPLETE_FCOPY */
    VW_IC_FCOPY_CANCEL = 3    /**< CANCEL_FCOPY */
};

/** @brief Size of the file-copy header (operation and two GUIDs, IC-FCOPY-2). */
#define VW_IC_FCOPY_HEADER_SIZE 36u

/** @brief Flags value Linux returns for a hot-backup query (VSS_HBU_NO_AUTO_RECOVERY). */
#define VW_IC_VSS_HBU_NO_AUTO_RECOVERY 0x5u

/** @brief Behaviour profiles where the reference implementations differ (IC-PROF-*). */
enum vw_ic_profile {
    VW_IC_PROFILE_LINUX = 0,  /**< the Linux kernel's hv_utils guest (the default) */
    VW_IC_PROFILE_OPENVMM = 1 /**< OpenVMM's guest shutdown client and host devices */
};

/** @brief The default profile (IC-PROF-1). */
#define VW_IC_PROFILE_DEFAULT VW_IC_PROFILE_LINUX

/** @brief Option of vw_ic_message_validate_opts(): also apply vmwire's own `strict`
 *  rules (IC-STRICT-*), which neither upstream implementation enforces. */
#define VW_IC_OPT_STRICT 0x1u

/* ===================================================================== */
/* Wire structures                                                       */
/* ===================================================================== */

/** @brief A version: major and minor, compared major first (IC-HDR-2). */
struct vw_ic_version {
    uint16_t major; /**< major version */
    uint16_t minor; /**< minor version */
};

/** @brief The 8-byte pipe header (IC-PIPE-1). */
struct vw_ic_pipe_header {
    uint32_t type; /**< packet type; ::VW_IC_PIPE_DATA for IC messages */
    uint32_t size; /**< length of the IC message that follows (header and body, no padding) */
};

/** @brief The 20-byte IC header (IC-HDR-1). */
struct vw_ic_header {
    struct vw_ic_version framework_version; /**< IC framework version (offset 0) */
    uint16_t message_type;                  /**< ::vw_ic_msgtype (offset 4) */
    struct vw_ic_version message_version;   /**< service message version (offset 6) */
    uint16_t message_size;                  /**< body size in bytes (offset 10) */
    uint32_t status;                        /**< HRESULT-style status (offset 12) */
    uint8_t transaction_id;                 /**< transaction id (offset 16) */
    uint8_t flags;                          /**< VW_IC_FLAG_* bits (offset 17) */
    uint16_t reserved;                      /**< reserved, zero (offset 18) */
};

/** @brief A UTF-16LE string view: @p size bytes at @p p. */
struct vw_ic_utf16 {
    const uint8_t *p; /**< first byte; may be NULL when @p size is 0 */
    size_t size;      /**< size in bytes */
};

/** @brief Negotiate body (message type 0, IC-NEG-1). */
struct vw_ic_negotiate {
    uint16_t framework_count; /**< number of framework versions (F) */
    uint16_t message_count;   /**< number of message versions (M) */
    uint32_t reserved;        /**< reserved, zero */
    /** Decode: view of the F+M 4-byte wire entries, framework versions first.
     *  Encode: may be NULL, then `framework_versions` and `message_versions` are used. */
    const uint8_t *wire_versions;
    const struct vw_ic_version *framework_versions; /**< encode input when `wire_versions` is NULL */
    const struct vw_ic_version *message_versions;   /**< encode input when `wire_versions` is NULL */
};

/** @brief Heartbeat body (message type 1, IC-HB-1): 16 (OpenVMM) or 40 (Linux) bytes. */
struct vw_ic_heartbeat {
    uint64_t sequence_number;   /**< sequence number (offset 0) */
    uint32_t application_state; /**< OpenVMM application state; reserved in Linux (offset 8) */
    uint8_t size;               /**< body size: 16 or 40 */
    uint8_t reserved[28];       /**< bytes from offset 12 to the end (4 or 28 used) */
};

/** @brief Shutdown body (message type 3, IC-SD-1), 2060 bytes. */
struct vw_ic_shutdown {
    uint32_t reason_code;           /**< Windows shutdown reason (offset 0) */
    uint32_t timeout_secs;          /**< time allowed (offset 4) */
    uint32_t flags;                 /**< VW_IC_SD_FLAG_* (offset 8) */
    const uint8_t *display_message; /**< view of the 2048-byte message (offset 12); NULL encodes zeros */
};

/** @brief Time sync body, either layout (message type 4, IC-TS-1, IC-TS-2). */
struct vw_ic_timesync {
    bool v4;                    /**< true: the 4.0 layout (message version 4.0 or later) */
    uint8_t size;               /**< body size: 28 or 25 (pre-4.0), 24 or 22 (4.0) */
    uint64_t parent_time;       /**< host UTC time, FILETIME units (offset 0) */
    uint64_t child_time;        /**< pre-4.0: child time, unused (offset 8) */
    uint64_t round_trip_time;   /**< pre-4.0: round trip time (offset 16) */
    uint64_t vm_reference_time; /**< 4.0: partition reference time when parent_time was taken (offset 8) */
    uint8_t flags;              /**< VW_IC_TS_FLAG_* (offset 24 pre-4.0, 16 in 4.0) */
    uint8_t leap_indicator;     /**< 4.0: NTP leap indicator (offset 17) */
    uint8_t stratum;            /**< 4.0: NTP stratum (offset 18) */
    uint8_t reserved[5];        /**< reserved tail (3 or 0 bytes pre-4.0; 5 or 3 bytes in 4.0) */
};

/** @brief KVP value record (IC-KVP-5): type, sizes, key and value. */
struct vw_ic_kvp_value {
    uint32_t value_type;   /**< ::vw_ic_kvp_type */
    struct vw_ic_utf16 key;/**< key_size bytes, UTF-16LE with its NUL */
    uint32_t value_size;   /**< value size in bytes */
    const uint8_t *value;  /**< view of value_size bytes (UTF-16LE with NUL, or a LE integer) */
};

/** @brief KVP IP-info record, string form (IC-KVP-9). Each view excludes the NUL. */
struct vw_ic_kvp_ip_string {
    struct vw_ic_utf16 adapter_id; /**< adapter id, field of 256 bytes */
    uint8_t address_family;        /**< 0 none, 1 IPv4, 2 IPv6, 3 both (OpenVMM) */
    uint8_t dhcp_enabled;          /**< DHCP enabled flag */
    struct vw_ic_utf16 ip_address; /**< addresses, field of 2048 bytes */
    struct vw_ic_utf16 subnet;     /**< subnets, field of 2048 bytes */
    struct vw_ic_utf16 gateway;    /**< gateways, field of 1024 bytes */
    struct vw_ic_utf16 dns;        /**< DNS servers, field of 2048 bytes */
};

/** @brief KVP IP-info record, binary form (IC-KVP-10). Arrays are views of wire bytes. */
struct vw_ic_kvp_ip_binary {
    uint32_t ipv4_address_count;   /**< entries of `ipv4_addresses` and `ipv4_subnets` (max 64) */
    uint32_t ipv6_address_count;   /**< entries of `ipv6_addresses` and `ipv6_prefix_lengths` (max 64) */
    uint32_t ipv4_gateway_count;   /**< entries of `ipv4_gateways` (max 5) */
    uint32_t ipv6_gateway_count;   /**< entries of `ipv6_gateways` (max 5) */
    uint32_t ipv4_dns_count;       /**< entries of `ipv4_dns` (max 64) */
    uint32_t ipv6_dns_count;       /**< entries of `ipv6_dns` (max 64) */
    struct vw_ic_utf16 adapter_id; /**< adapter id without NUL, field of 256 bytes */
    uint8_t address_family;        /**< 0 none, 1 IPv4, 2 IPv6, 3 both */
    uint8_t dhcp_enabled;          /**< DHCP enabled flag */
    uint16_t reserved;             /**< padding, zero */
    const uint8_t *ipv4_addresses; /**< 4 bytes per entry, network order */
    const uint8_t *ipv6_addresses; /**< 16 bytes per entry, network order */
    const uint8_t *ipv4_subnets;   /**< 4 bytes per entry, network order */
    const uint8_t *ipv6_prefix_lengths; /**< u32 LE per entry */
    const uint8_t *ipv4_gateways;  /**< 4 bytes per entry */
    const uint8_t *ipv6_gateways;  /**< 16 bytes per entry */
    const uint8_t *ipv4_dns;       /**< 4 bytes per entry */
    const uint8_t *ipv6_dns;       /**< 16 bytes per entry */
    const uint8_t *address_origins;/**< u16 LE per address, IPv4 entries first, then IPv6 */
};

/** @brief KVP body (message type 2, IC-KVP-1). */
struct vw_ic_kvp {
    uint8_t operation; /**< ::vw_ic_kvp_op */
    uint8_t pool;      /**< ::vw_ic_kvp_pool */
    uint16_t pad;      /**< bytes 2..3 (zero) for every form but the string IP form */
    uint32_t index;    /**< enumerate: the index */
    bool ip_binary;    /**< IP operations: true for the binary form (message version 5.0 or later) */
    struct vw_ic_kvp_value value;          /**< get, set, enumerate: the record; delete: only key */
    struct vw_ic_kvp_ip_string ip_string;  /**< IP operations, string form */
    struct vw_ic_kvp_ip_binary ip_binary_info; /**< IP operations, binary form */
};

/** @brief The forms of a VSS body, chosen by its size (IC-VSS-2 .. IC-VSS-4). */
enum vw_ic_vss_form {
    VW_IC_VSS_FORM_BASIC = 0,      /**< 12 (Linux) or 39 (OpenVMM) bytes: header and flags */
    VW_IC_VSS_FORM_FREEZE = 1,     /**< 6260 bytes: LUN list */
    VW_IC_VSS_FORM_FREEZE_EX = 2,  /**< 12500 bytes: LUN and shadow LUN lists */
    VW_IC_VSS_FORM_CLUSTER = 3,    /**< 7312 bytes: cluster information */
    VW_IC_VSS_FORM_CLUSTER_EX = 4  /**< 7320 bytes: cluster information and last move time */
};

/** @brief One VSS LUN record, 24 bytes (IC-VSS-5). */
struct vw_ic_vss_lun {
    uint8_t bus_type;       /**< bus type (offset 0) */
    uint8_t reserved[3];    /**< reserved (offset 1) */
    uint8_t controller[16]; /**< controller GUID, Windows byte layout (offset 4) */
    uint8_t port;           /**< port (offset 20) */
    uint8_t target;         /**< target (offset 21) */
    uint8_t lun;            /**< LUN (offset 22) */
    uint8_t reserved2;      /**< reserved (offset 23) */
};

/** @brief VSS body (message type 5, IC-VSS-1). */
struct vw_ic_vss {
    uint8_t operation;       /**< ::vw_ic_vss_op (offset 0) */
    uint8_t reserved[7];     /**< reserved (offset 1) */
    enum vw_ic_vss_form form;/**< which layout follows the 8-byte VSS header */
    /** basic form: flags (offset 8 in the 12-byte form, 15 in the 39-byte form, IC-VSS-2);
     *  freeze form: flags (offset 12) */
    uint32_t flags;
    const uint8_t *tail;     /**< basic form: bytes after the flags (20 in the 39-byte form) */
    size_t tail_len;         /**< length of `tail`: 0, or 20 (4 for CREATE, 8 for DELETE) in the 39-byte form */
    /** 39-byte basic form: the 7 reserved bytes at offsets 8 .. 14, before the data (NULL: zeros on encode) */
    const uint8_t *reserved2;
    /** basic form: body size, 12 or 39 (encode: 0 picks 39 when `tail_len` is not 0, else 12) */
    uint8_t basic_size;
    /** 39-byte form, CREATE and DELETE: snapshot set GUID, the first 16 data bytes (offset 15);
     *  CREATE also has `backup_type` after it (offset 31, OpenVMM MessageCreateV2), and `tail`
     *  is then the 4 (CREATE) or 8 (DELETE) data bytes after those fields, with no `flags` */
    uint8_t snapshot_set_id[16];
    uint32_t backup_type;    /**< freeze forms: backup type (offset 8); 39-byte CREATE: offset 31 */
    uint32_t lun_count;      /**< freeze and cluster forms: used LUN records (max 260) */
    const uint8_t *luns;     /**< view of lun_count 24-byte LUN records */
    const uint8_t *shadow_luns; /**< freeze-ex: view of lun_count shadow LUN records */
    uint8_t cluster_id[16];  /**< cluster forms: cluster GUID (offset 8) */
    uint32_t cluster_size;   /**< cluster forms: cluster size (offset 24) */
    const uint8_t *lun_status; /**< cluster forms: view of lun_count u32 LE statuses */
    uint64_t last_move_time; /**< cluster-ex form: last move time (offset 7312) */
};

/** @brief Which body a decoded message carries. */
enum vw_ic_body_kind {
    VW_IC_BODY_NONE = 0,   /**< message_size is 0 */
    VW_IC_BODY_NEGOTIATE,  /**< ::vw_ic_negotiate */
    VW_IC_BODY_HEARTBEAT,  /**< ::vw_ic_heartbeat */
    VW_IC_BODY_KVP,        /**< ::vw_ic_kvp */
    VW_IC_BODY_SHUTDOWN,   /**< ::vw_ic_shutdown */
    VW_IC_BODY_TIMESYNC,   /**< ::vw_ic_timesync */
    VW_IC_BODY_VSS,        /**< ::vw_ic_vss */
    VW_IC_BODY_RAW         /**< a message type without a defined body: raw bytes */
};

/** @brief An IC message: header, body, body padding and trailing bytes. */
struct vw_ic_message {
    struct vw_ic_header header;  /**< the 20-byte header */
    enum vw_ic_body_kind kind;   /**< which member of `body` is valid */
    union {
        struct vw_ic_negotiate negotiate; /**< ::VW_IC_BODY_NEGOTIATE */
        struct vw_ic_heartbeat heartbeat; /**< ::VW_IC_BODY_HEARTBEAT */
        struct vw_ic_kvp kvp;             /**< ::VW_IC_BODY_KVP */
        struct vw_ic_shutdown shutdown;   /**< ::VW_IC_BODY_SHUTDOWN */
        struct vw_ic_timesync timesync;   /**< ::VW_IC_BODY_TIMESYNC */
        struct vw_ic_vss vss;             /**< ::VW_IC_BODY_VSS */
    } body;                      /**< the body (see `kind`) */
    /** Body bytes after the decoded structure, inside message_size (IC-HDR-9).
     *  Encode: written after the body, then zeros up to message_size. */
    struct { const uint8_t *p; size_t len; } padding;
    /** Bytes after message_size (a Linux echo, IC-PROF-4); encode appends them. */
    struct { const uint8_t *p; size_t len; } trailing;
};

/** @brief A pipe packet: pipe header, IC message and ring padding (IC-PIPE-3). */
struct vw_ic_packet {
    struct vw_ic_pipe_header pipe;  /**< the pipe header */
    struct vw_ic_message message;   /**< the message (pipe.size bytes) */
    struct { const uint8_t *p; size_t len; } padding; /**< bytes after pipe.size (ring padding) */
};

/* ===================================================================== */
/* Wire layer                                                            */
/* ===================================================================== */

/**
 * @brief Compare two versions, major first.
 * @param a first version.
 * @param b second version.
 * @return negative, 0 or positive as @p a is below, equal to or above @p b.
 */
int vw_ic_version_cmp(struct vw_ic_version a, struct vw_ic_version b);

/**
 * @brief Decode a pipe header (IC-PIPE-1). Any type and size are accepted.
 * @param in bytes.
 * @param len length of @p in.
 * @param out receives the header.
 * @param off receives 8 on success, or the fault offset.
 * @return ::VW_OK, ::VW_E_TRUNCATED, ::VW_E_INVALID_ARG.
 */
vw_status vw_ic_pipe_header_decode(const uint8_t *in, size_t len, struct vw_ic_pipe_header *out, size_t *off);

/**
 * @brief Encode a pipe header.
 * @param in the header.
 * @param out output buffer (NULL with @p cap 0 to ask for the size).
 * @param cap capacity of @p out.
 * @param written receives the bytes written, or needed with ::VW_E_NOSPACE.
 * @return ::VW_OK, ::VW_E_NOSPACE, ::VW_E_INVALID_ARG.
 */
vw_status vw_ic_pipe_header_encode(const struct vw_ic_pipe_header *in, uint8_t *out, size_t cap, size_t *written);

/**
 * @brief Decode an IC header (IC-HDR-1). Field values are not judged here (see vw_ic_message_validate()).
 * @param in bytes.
 * @param len length of @p in.
 * @param out receives the header.
 * @param off receives 20 on success, or the fault offset (@p len when truncated).
 * @return ::VW_OK, ::VW_E_TRUNCATED, ::VW_E_INVALID_ARG.
 */
vw_status vw_ic_header_decode(const uint8_t *in, size_t len, struct vw_ic_header *out, size_t *off);

/**
 * @brief Encode an IC header.
 * @param in the header.
 * @param out output buffer (NULL with @p cap 0 to ask for the size).
 * @param cap capacity of @p out.
 * @param written receives the bytes written, or needed with ::VW_E_NOSPACE.
 * @return ::VW_OK, ::VW_E_NOSPACE, ::VW_E_INVALID_ARG.
 */
vw_status vw_ic_header_encode(const struct vw_ic_header *in, uint8_t *out, size_t cap, size_t *written);

/**
 * @brief Version entry @p i of a negotiate body (framework versions first).
 * @param n the body.
 * @param i index below framework_count + message_count.
 * @return the version, or 0.0 when @p i is out of range.
 */
struct vw_ic_version vw_ic_negotiate_version(const struct vw_ic_negotiate *n, size_t i);

/**
 * @brief Decode an IC message: header, then the body chosen by message type and version (IC-HDR-8).
 *
 * The body is the @c message_size bytes after the header; bytes beyond it are
 * reported as @c trailing. Strict per-body checks: IC-NEG-2, IC-NEG-3, IC-HB-1,
 * IC-SD-1, IC-TS-1, IC-TS-2, IC-KVP-2 .. IC-KVP-10, IC-VSS-2 .. IC-VSS-5.
 * @param in bytes.
 * @param len length of @p in.
 * @param out receives views into @p in (valid while @p in is).
 * @param off receives @p len on success, or the fault offset.
 * @return ::VW_OK, ::VW_E_TRUNCATED, ::VW_E_TOO_LONG, ::VW_E_BAD_LENGTH,
 *         ::VW_E_BAD_UTF16, ::VW_E_INVALID_ARG.
 */
vw_status vw_ic_message_decode(const uint8_t *in, size_t len, struct vw_ic_message *out, size_t *off);

/**
 * @brief The natural body size of a message to encode: its body structure plus padding.
 * @param m the message (header.message_type and kind select the body).
 * @param size receives the size.
 * @return ::VW_OK, ::VW_E_BAD_LENGTH or ::VW_E_TOO_LONG if the body cannot be encoded, ::VW_E_INVALID_ARG.
 */
vw_status vw_ic_body_size(const struct vw_ic_message *m, size_t *size);

/**
 * @brief Encode an IC message: header as given, body, padding, zeros up to message_size, trailing.
 * @param in the message.
 * @param out output buffer (NULL with @p cap 0 to ask for the size).
 * @param cap capacity of @p out.
 * @param written receives the bytes written, or needed with ::VW_E_NOSPACE.
 * @return ::VW_OK, ::VW_E_NOSPACE, ::VW_E_BAD_LENGTH (message_size below the body),
 *         ::VW_E_TOO_LONG (a count or size above its limit), ::VW_E_INVALID_ARG.
 */
vw_status vw_ic_message_encode(const struct vw_ic_message *in, uint8_t *out, size_t cap, size_t *written);

/**
 * @brief Decode a packet: pipe header, the message of pipe.size bytes, ring padding (IC-PIPE-3).
 * @param in bytes.
 * @param len length of @p in.
 * @param out receives views into @p in.
 * @param off receives @p len on success, or the fault offset.
 * @return as vw_ic_message_decode().
 */
vw_status vw_ic_packet_decode(const uint8_t *in, size_t len, struct vw_ic_packet *out, size_t *off);

/**
 * @brief Encode a packet: pipe header as given, message, padding.
 * @param in the packet.
 * @param out output buffer (NULL with @p cap 0 to ask for the size).
 * @param cap capacity of @p out.
 * @param written receives the bytes written, or needed with ::VW_E_NOSPACE.
 * @return as vw_ic_message_encode().
 */
vw_status vw_ic_packet_encode(const struct vw_ic_packet *in, uint8_t *out, size_t cap, size_t *written);

/**
 * @brief Decode one 24-byte VSS LUN record.
 * @param in bytes.
 * @param len length of @p in.
 * @param out receives the record.
 * @param off receives 24, or the fault offset.
 * @return ::VW_OK, ::VW_E_TRUNCATED, ::VW_E_INVALID_ARG.
 */
vw_status vw_ic_vss_lun_decode(const uint8_t *in, size_t len, struct vw_ic_vss_lun *out, size_t *off);

/**
 * @brief Encode one VSS LUN record.
 * @param in the record.
 * @param out output buffer (NULL with @p cap 0 to ask for the size).
 * @param cap capacity of @p out.
 * @param written receives 24 (written or needed).
 * @return ::VW_OK, ::VW_E_NOSPACE, ::VW_E_INVALID_ARG.
 */
vw_status vw_ic_vss_lun_encode(const struct vw_ic_vss_lun *in, uint8_t *out, size_t cap, size_t *written);

/* ---- UTF-16LE and time helpers ---------------------------------------- */

/**
 * @brief Check a UTF-16LE string of @p size bytes that ends with a NUL unit (IC-KVP-8).
 *
 * Rules: @p size even and at least 2, the last unit is 0, no other unit is 0,
 * and every surrogate is part of a high-low pair.
 * @param p bytes.
 * @param size size in bytes.
 * @param off receives the offset of the fault on failure.
 * @return ::VW_OK, ::VW_E_BAD_LENGTH (odd size), ::VW_E_BAD_UTF16.
 */
vw_status vw_ic_utf16_check(const uint8_t *p, size_t size, size_t *off);

/**
 * @brief Find the NUL-terminated string in a fixed UTF-16LE field and check it.
 * @param p the field.
 * @param cap the field's capacity in bytes (even).
 * @param len receives the string's size in bytes without the NUL.
 * @param off receives the fault offset on failure.
 * @return ::VW_OK, ::VW_E_BAD_UTF16 (no NUL inside the field, or a lone surrogate).
 */
vw_status vw_ic_utf16_field(const uint8_t *p, size_t cap, size_t *len, size_t *off);

/**
 * @brief Convert UTF-16LE (no NUL) to UTF-8 (no NUL written).
 * @param in UTF-16LE bytes.
 * @param in_size size of @p in in bytes.
 * @param out output buffer (NULL with @p cap 0 to ask for the size).
 * @param cap capacity of @p out.
 * @param written receives bytes written, or needed with ::VW_E_NOSPACE.
 * @return ::VW_OK, ::VW_E_NOSPACE, ::VW_E_BAD_LENGTH (odd size), ::VW_E_BAD_UTF16.
 */
vw_status vw_ic_utf16_to_utf8(const uint8_t *in, size_t in_size, char *out, size_t cap, size_t *written);

/**
 * @brief Convert UTF-8 to UTF-16LE (no NUL written). Overlong forms, surrogates and values above U+10FFFF are refused.
 * @param in UTF-8 bytes.
 * @param in_len length of @p in.
 * @param out output buffer (NULL with @p cap 0 to ask for the size).
 * @param cap capacity of @p out.
 * @param written receives bytes written, or needed with ::VW_E_NOSPACE.
 * @return ::VW_OK, ::VW_E_NOSPACE, ::VW_E_BAD_UTF8.
 */
vw_status vw_ic_utf8_to_utf16(const char *in, size_t in_len, uint8_t *out, size_t cap, size_t *written);

/**
 * @brief FILETIME (100 ns since 1601) to Unix time (IC-TS-4).
 * @param filetime the FILETIME value.
 * @param sec receives whole seconds since 1970 (negative before 1970).
 * @param nsec receives nanoseconds, 0 .. 999999900.
 */
void vw_ic_filetime_to_unix(uint64_t filetime, int64_t *sec, uint32_t *nsec);

/**
 * @brief Unix time to FILETIME (IC-TS-4).
 * @param sec seconds since 1970.
 * @param nsec nanoseconds (below 10^9; truncated to 100 ns).
 * @param filetime receives the FILETIME value.
 * @return ::VW_OK, ::VW_E_BAD_VALUE if the time is before 1601 or beyond the u64 range, ::VW_E_INVALID_ARG.
 */
vw_status vw_ic_unix_to_filetime(int64_t sec, uint32_t nsec, uint64_t *filetime);

/**
 * @brief Host time adjusted to "now" by the reference counter (IC-TS-5).
 *
 * Returns @p parent_time + (@p reference_now - @p vm_reference_time), as the
 * Linux guest does with the 4.0 layout (wrapping modulo 2^64).
 * @param parent_time the sample's parent_time.
 * @param vm_reference_time the sample's vm_reference_time.
 * @param reference_now the guest's reference counter now (100 ns units).
 * @return the adjusted FILETIME.
 */
uint64_t vw_ic_timesync_adjust(uint64_t parent_time, uint64_t vm_reference_time, uint64_t reference_now);

/* ===================================================================== */
/* Rules                                                                 */
/* ===================================================================== */

/**
 * @brief Apply the protocol rules of a profile to a decoded message (IC-HDR-5 .. IC-VSS-*).
 *
 * vmwire's `strict` rules (IC-STRICT-1 .. IC-STRICT-3) are not applied; see
 * vw_ic_message_validate_opts().
 * @param m the message (from vw_ic_message_decode()).
 * @param profile the profile whose rules apply.
 * @param off receives the offset (from the start of the IC header) of the offending field.
 * @return ::VW_OK or the status of the first rule broken: ::VW_E_RESERVED, ::VW_E_BAD_FLAGS,
 *         ::VW_E_BAD_TYPE, ::VW_E_BAD_VALUE, ::VW_E_BAD_LENGTH, ::VW_E_BAD_VERSION,
 *         ::VW_E_NO_COMMON_VERSION, ::VW_E_INVALID_ARG.
 */
vw_status vw_ic_message_validate(const struct vw_ic_message *m, enum vw_ic_profile profile, size_t *off);

/**
 * @brief Apply the pipe rules (IC-PIPE-2, IC-PIPE-3) and then vw_ic_message_validate().
 * @param p the packet (from vw_ic_packet_decode()).
 * @param profile the profile whose rules apply.
 * @param off receives the offset (from the start of the pipe header) of the offending field.
 * @return as vw_ic_message_validate(), plus ::VW_E_BAD_TYPE for a pipe type other than 1.
 */
vw_status vw_ic_packet_validate(const struct vw_ic_packet *p, enum vw_ic_profile profile, size_t *off);

/**
 * @brief vw_ic_message_validate() with options.
 *
 * Without options the rules are those of the profile's upstream implementation
 * (vw_ic_message_validate() is this function with @p opts 0); ::VW_IC_OPT_STRICT
 * adds vmwire's own rules (IC-STRICT-1 .. IC-STRICT-4).
 * @param m the message.
 * @param profile the profile whose rules apply.
 * @param opts 0 or ::VW_IC_OPT_STRICT.
 * @param off receives the offset of the offending field.
 * @return as vw_ic_message_validate().
 */
vw_status vw_ic_message_validate_opts(const struct vw_ic_message *m, enum vw_ic_profile profile, unsigned opts,
                                      size_t *off);

/**
 * @brief vw_ic_packet_validate() with options (see vw_ic_message_validate_opts()).
 * @param p the packet.
 * @param profile the profile whose rules apply.
 * @param opts 0 or ::VW_IC_OPT_STRICT.
 * @param off receives the offset of the offending field.
 * @return as vw_ic_packet_validate().
 */
vw_status vw_ic_packet_validate_opts(const struct vw_ic_packet *p, enum vw_ic_profile profile, unsigned opts,
                                     size_t *off);

/* ===================================================================== */
/* Profiles                                                              */
/* ===================================================================== */

/**
 * @brief Name of a profile ("linux", "openvmm").
 * @param p the profile.
 * @return a static string, "unknown" for an undefined value.
 */
const char *vw_ic_profile_name(enum vw_ic_profile p);

/**
 * @brief Look a profile up by name.
 * @param name "linux" or "openvmm".
 * @param out receives the profile.
 * @return ::VW_OK, ::VW_E_INVALID_ARG for an unknown name.
 */
vw_status vw_ic_profile_from_name(const char *name, enum vw_ic_profile *out);

/**
 * @brief The version lists a profile uses by default for a service (IC-NEG-8, IC-NEG-9).
 *
 * For the guest role: the list in preference order (most preferred first).
 * For the host role: the offer in the order it is sent (OpenVMM sends ascending).
 * @param profile the profile.
 * @param host true for the host role.
 * @param service the service's message type (1 .. 5).
 * @param framework receives a static list of framework versions.
 * @param nframework receives its length.
 * @param message receives a static list of message versions.
 * @param nmessage receives its length.
 * @return ::VW_OK, ::VW_E_UNSUPPORTED when the profile has no such endpoint, ::VW_E_INVALID_ARG.
 */
vw_status vw_ic_profile_versions(enum vw_ic_profile profile, bool host, uint16_t service,
                                 const struct vw_ic_version **framework, size_t *nframework,
                                 const struct vw_ic_version **message, size_t *nmessage);

/* ===================================================================== */
/* Guest responder                                                       */
/* ===================================================================== */

/** @brief Configuration of a guest responder. */
struct vw_ic_guest_config {
    enum vw_ic_profile profile; /**< behaviour profile (default ::VW_IC_PROFILE_LINUX) */
    /** the channel's service: ::vw_ic_msgtype 1 .. 5, or 7 (file copy) for the linux profile */
    uint16_t service;
    /** Framework versions in preference order; NULL uses the profile's list. */
    const struct vw_ic_version *framework_versions;
    size_t n_framework_versions; /**< length of `framework_versions` (max ::VW_IC_MAX_CONFIG_VERSIONS) */
    /** Service message versions in preference order; NULL uses the profile's list. */
    const struct vw_ic_version *message_versions;
    size_t n_message_versions;   /**< length of `message_versions` (max ::VW_IC_MAX_CONFIG_VERSIONS) */
    bool agent_ready;            /**< linux: the KVP / VSS user-space agent is registered */
    /* (file copy: the daemon is the channel's reader, so it is always "ready") */
    bool hibernate_supported;    /**< linux: shutdown flags 4 and 5 succeed (IC-PROF-7) */
    /** vmwire's own stricter behaviour instead of the upstream profile's (IC-STRICT-*);
     *  false (the default) behaves as the profile's upstream implementation. */
    bool strict;
};

/** @brief What one guest feed produced. */
enum vw_ic_guest_event_kind {
    VW_IC_GUEST_EV_NONE = 0,     /**< nothing for the application */
    VW_IC_GUEST_EV_NEGOTIATED,   /**< a negotiate request was answered (see @c versions / @c ok) */
    VW_IC_GUEST_EV_HEARTBEAT,    /**< a heartbeat was answered */
    VW_IC_GUEST_EV_SHUTDOWN,     /**< a shutdown was requested */
    VW_IC_GUEST_EV_TIMESYNC,     /**< a time sample arrived */
    VW_IC_GUEST_EV_KVP,          /**< a KVP request waits for vw_ic_guest_complete() */
    VW_IC_GUEST_EV_VSS,          /**< a VSS request arrived (waits for completion when @c pending) */
    VW_IC_GUEST_EV_FCOPY         /**< linux: a file-copy request waits for vw_ic_guest_complete() (IC-FCOPY-4) */
};

/** @brief The shutdown action a guest takes (IC-SD-3, IC-PROF-6). */
enum vw_ic_shutdown_action {
    VW_IC_SD_POWER_OFF = 0, /**< power off */
    VW_IC_SD_REBOOT = 1,    /**< reboot */
    VW_IC_SD_HIBERNATE = 2, /**< hibernate */
    VW_IC_SD_REFUSED = 3    /**< refused (the reply carries E_FAIL) */
};

/** @brief Event of a guest feed. */
struct vw_ic_guest_event {
    enum vw_ic_guest_event_kind kind;    /**< what happened */
    bool pending;                        /**< a reply waits for vw_ic_guest_complete() */
    bool ok;                             /**< negotiate: a common version was found */
    struct vw_ic_version framework;      /**< negotiate: chosen (or fallback) framework version */
    struct vw_ic_version message;        /**< negotiate: chosen (or fallback) message version */
    struct vw_ic_message msg;            /**< the request as decoded (views into the fed bytes) */
    enum vw_ic_shutdown_action action;   /**< shutdown: the action */
    bool force;                          /**< shutdown: force bit */
};

/** @brief Guest responder state. Caller-owned; treat members as private. */
struct vw_ic_guest {
    struct vw_ic_guest_config cfg;                           /**< configuration (lists copied below) */
    struct vw_ic_version fw[VW_IC_MAX_CONFIG_VERSIONS];      /**< framework preference list */
    struct vw_ic_version msgv[VW_IC_MAX_CONFIG_VERSIONS];    /**< message preference list */
    size_t nfw;                                              /**< length of `fw` */
    size_t nmsg;                                             /**< length of `msgv` */
    int state;                                               /**< internal state */
    struct vw_ic_version nego_fw;                            /**< negotiated framework version */
    struct vw_ic_version nego_msg;                           /**< negotiated (linux: last written) message version */
    bool negotiated;                                         /**< a negotiation succeeded */
    bool waiting;                                            /**< a request waits for completion */
    size_t out_len;                                          /**< pending reply length (0: none) */
    size_t err_off;                                          /**< offset of the last fault */
    size_t dirty;                                            /**< linux: bytes of `buf` from here on are zero */
    uint8_t buf[VW_IC_MAX_PACKET];                           /**< pending reply / echoed request */
};

/**
 * @brief Set up a guest responder.
 * @param g the responder.
 * @param cfg the configuration (copied).
 * @return ::VW_OK; ::VW_E_INVALID_ARG for a bad configuration; ::VW_E_UNSUPPORTED when the
 *         profile has no guest for the service (openvmm has only shutdown, IC-PROF-2).
 */
vw_status vw_ic_guest_init(struct vw_ic_guest *g, const struct vw_ic_guest_config *cfg);

/**
 * @brief Feed one received packet (pipe header, message, ring padding).
 *
 * Legal when no reply is pending. A reply, if the profile sends one, becomes
 * pending for vw_ic_guest_output(); a request that needs the application's
 * answer (KVP, VSS agent operations) waits for vw_ic_guest_complete().
 *
 * Usually the whole packet is consumed. Two upstream accidents are reported
 * through @p consumed: the openvmm guest does not consume a packet whose message
 * exceeds 13312 bytes (::VW_E_TOO_LONG, consumed 0, IC-PIPE-5), and the linux
 * guest reads an oversized packet only up to its receive limit, processes and
 * echoes that prefix, and reports the clamped length (IC-PROF-12).
 * @param g the responder.
 * @param in the packet.
 * @param len its length.
 * @param ev receives the event (may be NULL).
 * @param consumed receives the bytes consumed (see above).
 * @return ::VW_OK; a fault status (the request was refused; a reply may still be
 *         pending if the profile sends an error reply); ::VW_E_STATE while a reply
 *         or completion is pending; ::VW_E_INVALID_ARG.
 */
vw_status vw_ic_guest_feed(struct vw_ic_guest *g, const uint8_t *in, size_t len,
                           struct vw_ic_guest_event *ev, size_t *consumed);

/** @brief The application's answer to a request waiting for completion. */
struct vw_ic_guest_answer {
    uint32_t status;      /**< IC status for the reply */
    const char *key;      /**< KVP enumerate: key in UTF-8 (NULL: none) */
    const char *value;    /**< KVP get and enumerate: value in UTF-8 (NULL: none) */
};

/**
 * @brief Complete the request waiting after a ::VW_IC_GUEST_EV_KVP or pending ::VW_IC_GUEST_EV_VSS event.
 * @param g the responder.
 * @param answer the application's answer.
 * @return ::VW_OK (the reply is pending), ::VW_E_STATE when nothing waits, ::VW_E_BAD_UTF8, ::VW_E_INVALID_ARG.
 */
vw_status vw_ic_guest_complete(struct vw_ic_guest *g, const struct vw_ic_guest_answer *answer);

/** @brief The agent's IP configuration answering a linux KVP GET_IP_INFO (IC-KVP-14). Texts are UTF-8; NULL is empty. */
struct vw_ic_guest_ip_answer {
    const char *adapter_id; /**< adapter id */
    const char *ip_address; /**< addresses, `;`-separated */
    const char *subnet;     /**< subnets */
    const char *gateway;    /**< gateways */
    const char *dns;        /**< DNS servers */
    uint8_t address_family; /**< address family written to the reply */
    uint8_t dhcp_enabled;   /**< DHCP flag written to the reply */
};

/**
 * @brief vw_ic_guest_complete() with the IP configuration for a linux GET_IP_INFO request.
 *
 * vw_ic_guest_complete() is this function with @p ip NULL (empty texts, family and DHCP 0).
 * @p ip is used only when the request is a successful linux GET_IP_INFO.
 * @param g the responder.
 * @param answer the application's answer (its status).
 * @param ip the IP configuration (may be NULL).
 * @return as vw_ic_guest_complete().
 */
vw_status vw_ic_guest_complete_ip(struct vw_ic_guest *g, const struct vw_ic_guest_answer *answer,
                                  const struct vw_ic_guest_ip_answer *ip);

/**
 * @brief Copy the pending reply out.
 * @param g the responder.
 * @param out output buffer (NULL with @p cap 0 to ask for the size).
 * @param cap capacity of @p out.
 * @param written receives bytes written (0: nothing pending), or needed with ::VW_E_NOSPACE.
 * @return ::VW_OK, ::VW_E_NOSPACE (the reply stays pending), ::VW_E_INVALID_ARG
 *         (also for @p out NULL with @p cap > 0).
 */
vw_status vw_ic_guest_output(struct vw_ic_guest *g, uint8_t *out, size_t cap, size_t *written);

/**
 * @brief Offset in the last fed packet of the last fault.
 * @param g the responder.
 * @return the offset.
 */
size_t vw_ic_guest_error_offset(const struct vw_ic_guest *g);

/**
 * @brief What the responder wants next (doc/CONVENTIONS.md, the engine contract).
 *
 * ::VW_ENGINE_WANT_INPUT when vw_ic_guest_feed() would read a packet (no reply
 * pending, no request waiting, and, linux KVP, the agent registered);
 * ::VW_ENGINE_HAVE_OUTPUT when vw_ic_guest_output() has a reply to hand over;
 * ::VW_ENGINE_WAIT_APP while a request waits for vw_ic_guest_complete().
 * ::VW_ENGINE_FAILED once the linux fcopy daemon has exited (IC-FCOPY-5).
 * Legal in every state.
 * @param g the responder (NULL: 0).
 * @return a set of ::vw_engine_flag bits.
 */
unsigned vw_ic_guest_state(const struct vw_ic_guest *g);

/* ===================================================================== */
/* Host initiator                                                        */
/* ===================================================================== */

/** @brief Configuration of a host initiator (the OpenVMM host's behaviour, IC-HOST-*). */
struct vw_ic_host_config {
    uint16_t service; /**< the channel's service: ::vw_ic_msgtype 1 .. 5 */
    /** Framework versions to offer, in order; NULL uses OpenVMM's [1.0, 3.0]. */
    const struct vw_ic_version *framework_versions;
    size_t n_framework_versions; /**< length of `framework_versions` (1 .. ::VW_IC_MAX_CONFIG_VERSIONS) */
    /** Message versions to offer, in order; NULL uses OpenVMM's list (required for heartbeat and VSS). */
    const struct vw_ic_version *message_versions;
    size_t n_message_versions;   /**< length of `message_versions` (1 .. ::VW_IC_MAX_CONFIG_VERSIONS) */
    /** Reply deadline after a request; 0 = no deadline. A deadline is vmwire's own rule
     *  (IC-STRICT-6): non-zero needs `strict`. */
    uint64_t timeout_ns;
    /** vmwire's own host rules (IC-STRICT-5 .. IC-STRICT-9) instead of OpenVMM's; false
     *  (the default) behaves as OpenVMM's host devices. */
    bool strict;
};

/** @brief What one host feed produced. */
enum vw_ic_host_event_kind {
    VW_IC_HOST_EV_NONE = 0,   /**< nothing */
    VW_IC_HOST_EV_NEGOTIATED, /**< negotiation finished: see @c framework and @c message */
    VW_IC_HOST_EV_REPLY,      /**< the reply to the request in flight: see @c msg */
    VW_IC_HOST_EV_DROPPED     /**< a non-negotiate message was dropped while negotiating (IC-HOST-3) */
};

/** @brief Event of a host feed. */
struct vw_ic_host_event {
    enum vw_ic_host_event_kind kind; /**< what happened */
    struct vw_ic_version framework;  /**< negotiated framework version */
    struct vw_ic_version message;    /**< negotiated message version */
    uint32_t status;                 /**< reply: the IC status */
    struct vw_ic_message msg;        /**< reply: the message (views into the fed bytes) */
};

/** @brief Host initiator state. Caller-owned; treat members as private. */
struct vw_ic_host {
    struct vw_ic_host_config cfg;                         /**< configuration (lists copied below) */
    struct vw_ic_version fw[VW_IC_MAX_CONFIG_VERSIONS];   /**< framework offer */
    struct vw_ic_version msgv[VW_IC_MAX_CONFIG_VERSIONS]; /**< message offer */
    size_t nfw;                                           /**< length of `fw` */
    size_t nmsg;                                          /**< length of `msgv` */
    int state;                                            /**< internal state */
    struct vw_ic_version nego_fw;                         /**< negotiated framework version */
    struct vw_ic_version nego_msg;                        /**< negotiated message version */
    uint16_t inflight_type;                               /**< message type of the request in flight */
    uint8_t inflight_op;                                  /**< KVP operation of the request in flight */
    uint8_t tid;                                          /**< transaction id of the request in flight */
    uint64_t deadline;                                    /**< deadline of the request in flight */
    bool has_deadline;                                    /**< whether `deadline` applies */
    size_t out_len;                                       /**< pending request length */
    size_t err_off;                                       /**< offset of the last fault */
    uint8_t buf[VW_IC_PIPE_HEADER_SIZE + VW_IC_OPENVMM_MAX_MESSAGE]; /**< pending request */
};

/**
 * @brief Set up a host initiator (state: idle).
 * @param h the initiator.
 * @param cfg the configuration (copied).
 * @return ::VW_OK, ::VW_E_INVALID_ARG.
 */
vw_status vw_ic_host_init(struct vw_ic_host *h, const struct vw_ic_host_config *cfg);

/**
 * @brief Queue the negotiate request (IC-HOST-1). Legal in any state: it restarts negotiation.
 * @param h the initiator.
 * @param now_ns the caller's clock.
 * @return ::VW_OK, ::VW_E_INVALID_ARG.
 */
vw_status vw_ic_host_start(struct vw_ic_host *h, uint64_t now_ns);

/**
 * @brief Queue a service request (IC-HOST-5). Legal once negotiated and no request is in flight.
 *
 * The engine fills the header: negotiated versions, the service's message type,
 * message_size from the body, status 0, transaction id 0, flags 0x03.
 * @param h the initiator.
 * @param body the request; its header is ignored, kind and body are used.
 * @param now_ns the caller's clock (starts the reply deadline).
 * @return ::VW_OK; ::VW_E_STATE before negotiation or with a request in flight;
 *         ::VW_E_BAD_TYPE for a body of another service; encoder statuses.
 */
vw_status vw_ic_host_send(struct vw_ic_host *h, const struct vw_ic_message *body, uint64_t now_ns);

/**
 * @brief Feed one received packet (the guest's reply).
 *
 * Without `strict` (OpenVMM, IC-HOST-4): a packet fed while the host expects
 * nothing is not read: the call returns ::VW_OK with @p consumed 0, and the
 * caller offers it again after the next vw_ic_host_start() or vw_ic_host_send(),
 * where it is taken as the answer. Every fault ends the channel, except a
 * non-zero reply status (::VW_E_BAD_STATUS), which fails only that request.
 * With `strict` (IC-STRICT-5): such a packet is consumed and refused with
 * ::VW_E_STATE, and faults after negotiation leave the request in flight.
 * @param h the initiator.
 * @param in the packet.
 * @param len its length.
 * @param now_ns the caller's clock.
 * @param ev receives the event (may be NULL).
 * @param consumed receives the bytes consumed (0 when the packet was not read).
 * @return ::VW_OK; ::VW_E_MISMATCH (wrong transaction, flags or, strict, type);
 *         ::VW_E_NO_COMMON_VERSION; ::VW_E_BAD_STATUS (the reply's status is a failure);
 *         ::VW_E_TIMEOUT (strict: the reply came after the deadline); ::VW_E_STATE (strict:
 *         nothing expected); ::VW_E_TOO_LONG (a message above 13312 bytes);
 *         ::VW_E_FAILED after a fault that ended the channel; decoder statuses.
 */
vw_status vw_ic_host_feed(struct vw_ic_host *h, const uint8_t *in, size_t len, uint64_t now_ns,
                          struct vw_ic_host_event *ev, size_t *consumed);

/**
 * @brief Check the deadline of the request in flight.
 * @param h the initiator.
 * @param now_ns the caller's clock.
 * @return ::VW_OK, or ::VW_E_TIMEOUT once (the request is abandoned; a sticky failure while negotiating).
 */
vw_status vw_ic_host_tick(struct vw_ic_host *h, uint64_t now_ns);

/**
 * @brief Copy the pending request out.
 * @param h the initiator.
 * @param out output buffer (NULL with @p cap 0 to ask for the size).
 * @param cap capacity of @p out.
 * @param written receives bytes written (0: nothing pending), or needed with ::VW_E_NOSPACE.
 * @return ::VW_OK, ::VW_E_NOSPACE (the request stays pending), ::VW_E_INVALID_ARG
 *         (also for @p out NULL with @p cap > 0).
 */
vw_status vw_ic_host_output(struct vw_ic_host *h, uint8_t *out, size_t cap, size_t *written);

/**
 * @brief The negotiated versions.
 * @param h the initiator.
 * @param framework receives the framework version.
 * @param message receives the message version.
 * @return ::VW_OK once negotiated, ::VW_E_STATE before, ::VW_E_INVALID_ARG.
 */
vw_status vw_ic_host_versions(const struct vw_ic_host *h, struct vw_ic_version *framework,
                              struct vw_ic_version *message);

/**
 * @brief Offset in the last fed packet of the last fault.
 * @param h the initiator.
 * @return the offset.
 */
size_t vw_ic_host_error_offset(const struct vw_ic_host *h);

/**
 * @brief What the initiator wants next (doc/CONVENTIONS.md, the engine contract).
 *
 * ::VW_ENGINE_WANT_INPUT while a version or message reply is awaited (then
 * vw_ic_host_feed() reads a packet); ::VW_ENGINE_HAVE_OUTPUT when
 * vw_ic_host_output() has a request to hand over; ::VW_ENGINE_WAIT_APP when
 * nothing happens until the application calls vw_ic_host_start() or
 * vw_ic_host_send(); ::VW_ENGINE_FAILED after a sticky fault. Legal in every state.
 * @param h the initiator (NULL: 0).
 * @return a set of ::vw_engine_flag bits.
 */
unsigned vw_ic_host_state(const struct vw_ic_host *h);

#ifdef __cplusplus
}
#endif

#endif /* VMWIRE_IC_H */
