#pragma once
// IKEv1 wire constants. Every number here is defined by an RFC; the section is cited so the
// value can be checked at the source.
#include <cstddef>
#include <cstdint>

namespace xgw::ike {

// ISAKMP header (RFC 2408 §3.1): 2 x 8-byte cookies, next payload, version, exchange, flags,
// message ID, length.
inline constexpr std::size_t kHeaderLen = 28;
inline constexpr std::size_t kCookieLen = 8;
inline constexpr std::size_t kGenericPayloadHeaderLen = 4;  // RFC 2408 §3.2
inline constexpr std::uint8_t kIsakmpVersion = 0x10;         // major 1, minor 0
// Largest datagram we accept or produce. An ISAKMP message over UDP is bounded by the UDP
// payload; anything larger is rejected without allocating.
inline constexpr std::size_t kMaxMessageLen = 65535 - 8 - 20;
inline constexpr std::size_t kAesBlock = 16;
inline constexpr std::size_t kMaxPayloads = 64;  // more than any legitimate IKEv1 message carries

// Exchange types (RFC 2408 §3.1, RFC 2409 §5.5).
enum class Exchange : std::uint8_t {
  kNone = 0, kBase = 1, kIdentityProtection = 2, kAuthOnly = 3, kAggressive = 4,
  kInformational = 5, kQuickMode = 32,
};

// Header flags (RFC 2408 §3.1).
inline constexpr std::uint8_t kFlagEncryption = 0x01;
inline constexpr std::uint8_t kFlagCommit = 0x02;
inline constexpr std::uint8_t kFlagAuthOnly = 0x04;

// Payload types (RFC 2408 §3.1, RFC 3947 §3.1/§5.2 for NAT-D and NAT-OA).
enum class PayloadType : std::uint8_t {
  kNone = 0, kSa = 1, kProposal = 2, kTransform = 3, kKe = 4, kId = 5, kCert = 6, kCr = 7,
  kHash = 8, kSig = 9, kNonce = 10, kNotify = 11, kDelete = 12, kVendorId = 13,
  kNatD = 20, kNatOa = 21,
};

// DOI and situation (RFC 2407 §4.2).
inline constexpr std::uint32_t kDoiIpsec = 1;
inline constexpr std::uint32_t kSitIdentityOnly = 1;

// Protocol IDs (RFC 2407 §4.4.1).
enum class ProtocolId : std::uint8_t { kIsakmp = 1, kAh = 2, kEsp = 3, kIpcomp = 4 };

// Phase 1 transform ID (RFC 2407 §4.4.2).
inline constexpr std::uint8_t kKeyIke = 1;

// Phase 1 attribute types (RFC 2409 App. A).
enum class P1Attr : std::uint16_t {
  kEncryption = 1, kHash = 2, kAuthMethod = 3, kGroupDesc = 4, kGroupType = 5,
  kLifeType = 11, kLifeDuration = 12, kPrf = 13, kKeyLength = 14,
};
inline constexpr std::uint16_t kP1EncAesCbc = 7;     // RFC 3602 §5 / IANA
inline constexpr std::uint16_t kAuthPsk = 1;
inline constexpr std::uint16_t kLifeSeconds = 1;
inline constexpr std::uint16_t kLifeKilobytes = 2;

// Hash algorithms of phase 1 (RFC 2409 App. A, RFC 4868 §2.4 for the SHA2 numbers).
enum class HashAlg : std::uint16_t { kSha1 = 2, kSha256 = 4, kSha384 = 5, kSha512 = 6 };

// Phase 2 (IPsec DOI) SA attributes (RFC 2407 §4.5).
enum class P2Attr : std::uint16_t {
  kLifeType = 1, kLifeDuration = 2, kGroupDesc = 3, kEncapMode = 4, kAuthAlg = 5, kKeyLength = 6,
  kKeyRounds = 7, kCompDictSize = 8, kCompPrivAlg = 9,
};
// ESP transform IDs (RFC 2407 §4.4.4, RFC 3602, RFC 4106 §8).
inline constexpr std::uint8_t kEspAesCbc = 12;
inline constexpr std::uint8_t kEspAesGcm8 = 18;
inline constexpr std::uint8_t kEspAesGcm12 = 19;
inline constexpr std::uint8_t kEspAesGcm16 = 20;
// Encapsulation modes (RFC 2407 §4.5, RFC 3947 §5.1).
enum class EncapMode : std::uint16_t {
  kTunnel = 1, kTransport = 2, kUdpTunnel = 3, kUdpTransport = 4,
  kUdpTunnelDraft = 61443, kUdpTransportDraft = 61444,
};
// ESP authentication algorithms (RFC 2407 §4.5, RFC 4868 §2.4).
enum class EspAuth : std::uint16_t { kNone = 0, kHmacSha1 = 2, kHmacSha256 = 5, kHmacSha384 = 6, kHmacSha512 = 7 };

// Identification types (RFC 2407 §4.6.2.1).
inline constexpr std::uint8_t kIdIpv4Addr = 1;
inline constexpr std::uint8_t kIdIpv4AddrSubnet = 4;

// Notify message types (RFC 2408 §3.14.1, RFC 2407 §4.6.3, RFC 3706 §5).
enum class NotifyType : std::uint16_t {
  kInvalidPayloadType = 1, kDoiNotSupported = 2, kSituationNotSupported = 3, kInvalidCookie = 4,
  kInvalidMajorVersion = 5, kInvalidMinorVersion = 6, kInvalidExchangeType = 7,
  kInvalidFlags = 8, kInvalidMessageId = 9, kInvalidProtocolId = 10, kInvalidSpi = 11,
  kInvalidTransformId = 12, kAttributesNotSupported = 13, kNoProposalChosen = 14,
  kBadProposalSyntax = 15, kPayloadMalformed = 16, kInvalidKeyInformation = 17,
  kInvalidIdInformation = 18, kInvalidHashInformation = 23, kAuthenticationFailed = 24,
  kInvalidSignature = 25, kConnected = 16384, kResponderLifetime = 24576, kReplayStatus = 24577,
  kInitialContact = 24578, kRUThere = 36136, kRUThereAck = 36137,
};

// Vendor IDs.
// DPD (RFC 3706 §4.1): afcad71368a1f1c96b8696fc77570100
inline constexpr std::uint8_t kVidDpd[16] = {0xaf, 0xca, 0xd7, 0x13, 0x68, 0xa1, 0xf1, 0xc9,
                                             0x6b, 0x86, 0x96, 0xfc, 0x77, 0x57, 0x01, 0x00};
// NAT-T, MD5("RFC 3947") (RFC 3947 §3.1)
inline constexpr std::uint8_t kVidNatT[16] = {0x4a, 0x13, 0x1c, 0x81, 0x07, 0x03, 0x58, 0x45,
                                              0x5c, 0x57, 0x28, 0xf2, 0x0e, 0x95, 0x45, 0x2f};
// NAT-T draft-ietf-ipsec-nat-t-ike-02\n
inline constexpr std::uint8_t kVidNatTDraft02[16] = {0x90, 0xcb, 0x80, 0x91, 0x3e, 0xbb, 0x69, 0x6e,
                                                     0x08, 0x63, 0x81, 0xb5, 0xec, 0x42, 0x7b, 0x1f};
inline constexpr std::uint8_t kVidXauth[8] = {0x09, 0x00, 0x26, 0x89, 0xdf, 0xd6, 0xb7, 0x12};

// UDP ports (RFC 2408 §2.5.1, RFC 3948 §2).
inline constexpr std::uint16_t kIkePort = 500;
inline constexpr std::uint16_t kNatTPort = 4500;
inline constexpr std::size_t kNonEspMarkerLen = 4;  // RFC 3948 §2.2

}  // namespace xgw::ike
