/* Undoes conv_simd.h (and KARCH), so the next level can be instantiated. */
#undef KARCH
#undef KBITS
#undef KATTR
#undef KMM
#undef KV
#undef KVL
#undef KLOAD
#undef KSTORE
#undef KBCAST
#undef KFMA
#undef KZERO
#undef KADD
#undef KPIN
