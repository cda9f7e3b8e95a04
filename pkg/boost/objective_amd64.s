//go:build !purego

#include "textflag.h"

// func logisticGrad8(margin, y, w *float32, gp *gpair, n uintptr)
//
// For each row: x = -margin; e = expf(x) (model.go), its float64 part
// in two halves of four rows; p = 1 / (1 + e); h = max(p(1-p), hessEps);
// (g, h) = (p - y, h), times w when w is not nil. Every operation is the
// Go code's, on the same operands in the same order (additions and
// multiplications commute bit for bit); expf's branches become masks:
// NaN or x >= 89 gives x·Inf, x < -104 gives 0. Constants: ·logisticK,
// 32 bytes each.
TEXT ·logisticGrad8(SB), NOSPLIT, $0-40
	MOVQ margin+0(FP), SI
	MOVQ y+8(FP), DX
	MOVQ w+16(FP), CX
	MOVQ gp+24(FP), DI
	MOVQ n+32(FP), BX
	SHRQ $3, BX
	JZ   done
	LEAQ ·exp2Tab(SB), R8
	LEAQ ·logisticK(SB), R9
	VMOVUPS 0(R9), Y13   // sign bit
	VMOVUPS 448(R9), Y14 // hessEps
	VMOVUPS 416(R9), Y15 // float32 1

loop:
	VXORPS    (SI), Y13, Y0 // x = -margin
	VCVTPS2PD X0, Y1        // xd, rows 0-3
	VEXTRACTF128 $1, Y0, X2
	VCVTPS2PD X2, Y2        // xd, rows 4-7

	VMULPD 32(R9), Y1, Y3 // xd*log2e32
	VMULPD 32(R9), Y2, Y4
	VADDPD 64(R9), Y3, Y3 // kf = ... + shift (its bits hold k)
	VADDPD 64(R9), Y4, Y4
	VSUBPD 64(R9), Y3, Y5 // kf - shift
	VSUBPD 64(R9), Y4, Y6
	VMULPD 96(R9), Y5, Y7 // kf*ln2Hi32
	VMULPD 96(R9), Y6, Y8
	VSUBPD Y7, Y1, Y7     // xd - kf*ln2Hi32
	VSUBPD Y8, Y2, Y8
	VMULPD 128(R9), Y5, Y5 // kf*ln2Lo32
	VMULPD 128(R9), Y6, Y6
	VSUBPD Y5, Y7, Y7      // r
	VSUBPD Y6, Y8, Y8

	VMULPD 160(R9), Y7, Y9 // r*(1/720)
	VMULPD 160(R9), Y8, Y10
	VADDPD 192(R9), Y9, Y9 // 1/120 + ...
	VADDPD 192(R9), Y10, Y10
	VMULPD Y7, Y9, Y9
	VMULPD Y8, Y10, Y10
	VADDPD 224(R9), Y9, Y9 // 1/24 + ...
	VADDPD 224(R9), Y10, Y10
	VMULPD Y7, Y9, Y9
	VMULPD Y8, Y10, Y10
	VADDPD 256(R9), Y9, Y9 // 1/6 + ...
	VADDPD 256(R9), Y10, Y10
	VMULPD Y7, Y9, Y9
	VMULPD Y8, Y10, Y10
	VADDPD 288(R9), Y9, Y9 // 1/2 + ...
	VADDPD 288(R9), Y10, Y10
	VMULPD Y7, Y9, Y9
	VMULPD Y8, Y10, Y10
	VADDPD 320(R9), Y9, Y9 // 1 + ...
	VADDPD 320(R9), Y10, Y10
	VMULPD Y7, Y9, Y9
	VMULPD Y8, Y10, Y10
	VADDPD 320(R9), Y9, Y9 // p = 1 + ...
	VADDPD 320(R9), Y10, Y10

	// exp2Tab[k&31]: the low five bits of kf's bits are k's.
	VPAND      352(R9), Y3, Y5
	VPAND      352(R9), Y4, Y6
	VPCMPEQQ   Y11, Y11, Y11
	VGATHERQPD Y11, (R8)(Y5*8), Y7
	VPCMPEQQ   Y12, Y12, Y12
	VGATHERQPD Y12, (R8)(Y6*8), Y8

	// scale = 2^(k>>5): ((bits>>5) + 1023) << 52, as the bits are
	// 0x433<<52 + 2^51 + k and both high terms shift out.
	VPSRLQ $5, Y3, Y3
	VPSRLQ $5, Y4, Y4
	VPADDQ 384(R9), Y3, Y3
	VPADDQ 384(R9), Y4, Y4
	VPSLLQ $52, Y3, Y3
	VPSLLQ $52, Y4, Y4

	VMULPD     Y9, Y7, Y7  // exp2Tab[k&31] * p
	VMULPD     Y10, Y8, Y8
	VMULPD     Y3, Y7, Y7  // * scale
	VMULPD     Y4, Y8, Y8
	VCVTPD2PSY Y7, X7
	VCVTPD2PSY Y8, X8
	VINSERTF128 $1, X8, Y7, Y7 // e

	VCMPPS    $1, 480(R9), Y0, Y9 // x < -104
	VANDNPS   Y7, Y9, Y7          // ... gives 0
	VCMPPS    $5, 512(R9), Y0, Y9 // !(x < 89): NaN or x >= 89
	VMULPS    544(R9), Y0, Y10    // ... gives x*Inf
	VBLENDVPS Y9, Y10, Y7, Y7

	VADDPS Y15, Y7, Y7  // 1 + e
	VDIVPS Y7, Y15, Y7  // p = 1 / (1 + e)
	VSUBPS Y7, Y15, Y8  // 1 - p
	VMULPS Y8, Y7, Y8   // p * (1 - p)
	VMAXPS Y8, Y14, Y8  // h = hessEps if p(1-p) < hessEps (a NaN stays)
	VSUBPS (DX), Y7, Y7 // g = p - y

	TESTQ CX, CX
	JZ    store
	VMULPS (CX), Y7, Y7
	VMULPS (CX), Y8, Y8
	ADDQ   $32, CX

store:
	VUNPCKLPS  Y8, Y7, Y9  // g0 h0 g1 h1 | g4 h4 g5 h5
	VUNPCKHPS  Y8, Y7, Y10 // g2 h2 g3 h3 | g6 h6 g7 h7
	VPERM2F128 $0x20, Y10, Y9, Y11
	VPERM2F128 $0x31, Y10, Y9, Y12
	VMOVUPS    Y11, (DI)
	VMOVUPS    Y12, 32(DI)

	ADDQ $32, SI
	ADDQ $32, DX
	ADDQ $64, DI
	DECQ BX
	JNZ  loop
	VZEROUPPER

done:
	RET
