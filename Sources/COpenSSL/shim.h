#ifndef CHUNKFERRY_COPENSSL_SHIM_H
#define CHUNKFERRY_COPENSSL_SHIM_H

#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/kdf.h>
#include <openssl/rand.h>
#include <limits.h>

// EVP_sha256()/EVP_md5() return const pointers Swift sees as OpaquePointer;
// wrappers keep the call sites typed and short.

static inline EVP_MD_CTX *cf_digest_new_sha256(void) {
    EVP_MD_CTX *context = EVP_MD_CTX_new();
    if (context && EVP_DigestInit_ex(context, EVP_sha256(), NULL) != 1) { EVP_MD_CTX_free(context); return NULL; }
    return context;
}

static inline EVP_MD_CTX *cf_digest_new_md5(void) {
    EVP_MD_CTX *context = EVP_MD_CTX_new();
    if (context && EVP_DigestInit_ex(context, EVP_md5(), NULL) != 1) { EVP_MD_CTX_free(context); return NULL; }
    return context;
}

/// A new context continuing from `source`'s state (NULL on failure).
static inline EVP_MD_CTX *cf_digest_copy(const EVP_MD_CTX *source) {
    EVP_MD_CTX *copy = EVP_MD_CTX_new();
    if (copy && EVP_MD_CTX_copy_ex(copy, source) != 1) { EVP_MD_CTX_free(copy); return NULL; }
    return copy;
}

static inline int cf_hmac_sha256(const void *key, int key_length, const unsigned char *data, size_t data_length,
                                 unsigned char *out) {
    unsigned int out_length = 0;
    return HMAC(EVP_sha256(), key, key_length, data, data_length, out, &out_length) != NULL ? (int)out_length : -1;
}

// age's primitives (age-encryption.org/v1): X25519, HKDF-SHA256, ChaCha20-Poly1305, randomness.
// Each returns 1 on success, 0 on failure; outputs are fixed-size buffers the caller owns.

/// X25519(scalar, point) into out[32]; fails for a low-order point (an all-zero result).
static inline int cf_x25519(unsigned char *out, const unsigned char *scalar, const unsigned char *point) {
    EVP_PKEY *private_key = EVP_PKEY_new_raw_private_key(EVP_PKEY_X25519, NULL, scalar, 32);
    EVP_PKEY *public_key = EVP_PKEY_new_raw_public_key(EVP_PKEY_X25519, NULL, point, 32);
    EVP_PKEY_CTX *context = private_key ? EVP_PKEY_CTX_new(private_key, NULL) : NULL;
    size_t length = 32;
    int ok = context && public_key && EVP_PKEY_derive_init(context) == 1 && EVP_PKEY_derive_set_peer(context, public_key) == 1
             && EVP_PKEY_derive(context, out, &length) == 1 && length == 32;
    EVP_PKEY_CTX_free(context);
    EVP_PKEY_free(public_key);
    EVP_PKEY_free(private_key);
    return ok;
}

/// X25519(scalar, basepoint): the public key of a private one.
static inline int cf_x25519_public(unsigned char *out, const unsigned char *scalar) {
    EVP_PKEY *key = EVP_PKEY_new_raw_private_key(EVP_PKEY_X25519, NULL, scalar, 32);
    size_t length = 32;
    int ok = key && EVP_PKEY_get_raw_public_key(key, out, &length) == 1 && length == 32;
    EVP_PKEY_free(key);
    return ok;
}

/// HKDF-SHA256 (RFC 5869), extract and expand, into out[out_length].
static inline int cf_hkdf_sha256(unsigned char *out, size_t out_length, const unsigned char *ikm, size_t ikm_length,
                                 const unsigned char *salt, size_t salt_length, const unsigned char *info, size_t info_length) {
    if (salt_length > INT_MAX || ikm_length > INT_MAX || info_length > INT_MAX) { return 0; }
    EVP_PKEY_CTX *context = EVP_PKEY_CTX_new_id(EVP_PKEY_HKDF, NULL);
    static const unsigned char empty = 0;
    int ok = context && EVP_PKEY_derive_init(context) == 1 && EVP_PKEY_CTX_set_hkdf_md(context, EVP_sha256()) == 1
             && EVP_PKEY_CTX_set1_hkdf_salt(context, salt_length ? salt : &empty, (int)salt_length) == 1
             && EVP_PKEY_CTX_set1_hkdf_key(context, ikm, (int)ikm_length) == 1
             && EVP_PKEY_CTX_add1_hkdf_info(context, info, (int)info_length) == 1
             && EVP_PKEY_derive(context, out, &out_length) == 1;
    EVP_PKEY_CTX_free(context);
    return ok;
}

/// ChaCha20-Poly1305 (RFC 8439) with no associated data: in[length] sealed into out[length + 16]
/// (ciphertext, then the tag), or, opening, in[length] (with its tag) into out[length - 16].
static inline int cf_chacha20poly1305(int seal, unsigned char *out, const unsigned char *key, const unsigned char *nonce,
                                      const unsigned char *in, size_t length) {
    if (!seal && length < 16) { return 0; }
    size_t body = seal ? length : length - 16;
    EVP_CIPHER_CTX *context = EVP_CIPHER_CTX_new();
    int written = 0, final = 0;
    int ok = context && EVP_CipherInit_ex(context, EVP_chacha20_poly1305(), NULL, NULL, NULL, seal) == 1
             && EVP_CIPHER_CTX_ctrl(context, EVP_CTRL_AEAD_SET_IVLEN, 12, NULL) == 1
             && EVP_CipherInit_ex(context, NULL, NULL, key, nonce, seal) == 1;
    if (ok && !seal) { ok = EVP_CIPHER_CTX_ctrl(context, EVP_CTRL_AEAD_SET_TAG, 16, (void *)(in + body)) == 1; }
    if (ok && body > 0) { ok = EVP_CipherUpdate(context, out, &written, in, (int)body) == 1 && (size_t)written == body; }
    if (ok) { ok = EVP_CipherFinal_ex(context, out + written, &final) == 1; }
    if (ok && seal) { ok = EVP_CIPHER_CTX_ctrl(context, EVP_CTRL_AEAD_GET_TAG, 16, out + body) == 1; }
    EVP_CIPHER_CTX_free(context);
    return ok;
}

static inline int cf_random(unsigned char *out, size_t length) {
    return length <= INT_MAX && RAND_bytes(out, (int)length) == 1;
}

#endif
