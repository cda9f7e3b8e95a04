//go:build !purego

#include "textflag.h"

// iota16 is the int32 row offsets 0 … 15 of a block.
DATA iota16<>+0(SB)/4, $0
DATA iota16<>+4(SB)/4, $1
DATA iota16<>+8(SB)/4, $2
DATA iota16<>+12(SB)/4, $3
DATA iota16<>+16(SB)/4, $4
DATA iota16<>+20(SB)/4, $5
DATA iota16<>+24(SB)/4, $6
DATA iota16<>+28(SB)/4, $7
DATA iota16<>+32(SB)/4, $8
DATA iota16<>+36(SB)/4, $9
DATA iota16<>+40(SB)/4, $10
DATA iota16<>+44(SB)/4, $11
DATA iota16<>+48(SB)/4, $12
DATA iota16<>+52(SB)/4, $13
DATA iota16<>+56(SB)/4, $14
DATA iota16<>+60(SB)/4, $15
GLOBL iota16<>(SB), RODATA|NOPTR, $64

// func leafScanAVX512(xs *float64, l, d int, q *float64, cols *int32, limit float64, live *int32, part *float64) (n, terms int)
//
// kernel.leaf in AVX-512: sixteen rows a block (two ZMM
// accumulators of eight), column by column in the leaf's order, each term
// (q[cols[c]] − x)² one VSUBPD, VMULPD and VADDPD (each rounded, no fused
// multiply-add). After each column the rows of the block whose sum is
// still ≤ limit are a mask; when it is empty the block ends. The rows left
// after the last column are written to live (their indices in the leaf,
// ascending), 16 int32 at a time: live has room for l+16; their sums go to
// part (those of the block's rows that exist). Blocks of 32 rows (four
// accumulators) were no faster.
TEXT ·leafScanAVX512(SB), NOSPLIT, $0-80
	MOVQ xs+0(FP), SI
	MOVQ l+8(FP), R14
	MOVQ d+16(FP), DX
	MOVQ q+24(FP), R8
	MOVQ cols+32(FP), R9
	VBROADCASTSD limit+40(FP), Z8
	MOVQ live+48(FP), DI
	VMOVDQU32 iota16<>(SB), Z7
	XORQ AX, AX   // survivors written
	XORQ BX, BX   // terms summed
	XORQ R13, R13 // first row of the block

block:
	CMPQ R13, R14
	JGE  done
	// K1: the block's rows that exist (16, or l − R13 at the end);
	// K2: its upper eight.
	MOVQ R14, CX
	SUBQ R13, CX
	MOVL $0xffff, R12
	CMPQ CX, $16
	JGE  mask
	MOVL $1, R12
	SHLL CX, R12
	DECL R12

mask:
	KMOVW    R12, K1
	KSHIFTRW $8, K1, K2
	VXORPD   Z3, Z3, Z3
	VXORPD   Z4, Z4, Z4
	LEAQ     (SI)(R13*8), R10 // the block in column 0
	XORQ     R11, R11

column:
	MOVLQSX      (R9)(R11*4), R12
	VBROADCASTSD (R8)(R12*8), Z0
	VMOVUPD.Z    (R10), K1, Z1
	VMOVUPD.Z    64(R10), K2, Z2
	VSUBPD       Z1, Z0, Z1
	VSUBPD       Z2, Z0, Z2
	VMULPD       Z1, Z1, Z1
	VMULPD       Z2, Z2, Z2
	VADDPD       Z1, Z3, Z3
	VADDPD       Z2, Z4, Z4
	ADDQ         $16, BX
	VCMPPD       $2, Z8, Z3, K1, K3 // K3 = K1 ∧ (sum ≤ limit), rows 0–7
	VCMPPD       $2, Z8, Z4, K2, K4 // rows 8–15
	KORTESTW     K3, K4
	JZ           next               // every row of the block is out
	LEAQ         (R10)(R14*8), R10  // the next column
	INCQ         R11
	CMPQ         R11, DX
	JLT          column

	// The survivors: their sums, and their indices compressed to the
	// front of Z6.
	MOVQ          part+56(FP), R12
	VMOVUPD       Z3, K1, (R12)(R13*8)
	VMOVUPD       Z4, K2, 64(R12)(R13*8)
	KMOVW         K3, R12
	KMOVW         K4, CX
	SHLL          $8, CX
	ORL           CX, R12
	KMOVW         R12, K5
	VPBROADCASTD  R13, Z5
	VPADDD        Z7, Z5, Z5
	VPCOMPRESSD.Z Z5, K5, Z6
	VMOVDQU32     Z6, (DI)(AX*4)
	POPCNTL       R12, R12
	ADDQ          R12, AX

next:
	ADDQ $16, R13
	JMP  block

done:
	MOVQ AX, n+64(FP)
	MOVQ BX, terms+72(FP)
	VZEROUPPER
	RET

// func boxDist2AVX512(b *float64, qo *float64, d int) (dl, dr float64)
//
// kdTree.boxDist of two sibling nodes, whose bounds follow each other
// from b (lo and hi of the first, then of the second; d each), in
// AVX-512: eight columns a step, each term max(lo − q, q − hi, 0)²
// (the same rounded difference as boxDist's, squared), summed lane by
// lane and then across lanes, without boxDist's early return.
TEXT ·boxDist2AVX512(SB), NOSPLIT, $0-40
	MOVQ   b+0(FP), SI
	MOVQ   qo+8(FP), DI
	MOVQ   d+16(FP), DX
	LEAQ   (SI)(DX*8), R8  // hi of the first
	LEAQ   (R8)(DX*8), R9  // lo of the second
	LEAQ   (R9)(DX*8), R10 // hi of the second
	VXORPD Z0, Z0, Z0      // sums of the first
	VXORPD Z1, Z1, Z1      // sums of the second
	VXORPD Z2, Z2, Z2      // zero
	XORQ   AX, AX

bcolumns:
	CMPQ AX, DX
	JGE  bsum
	MOVQ DX, CX
	SUBQ AX, CX
	MOVL $0xff, R11
	CMPQ CX, $8
	JGE  bmask
	MOVL $1, R11
	SHLL CX, R11
	DECL R11

bmask:
	KMOVW     R11, K1
	VMOVUPD.Z (DI)(AX*8), K1, Z3
	VMOVUPD.Z (SI)(AX*8), K1, Z4
	VMOVUPD.Z (R8)(AX*8), K1, Z5
	VMOVUPD.Z (R9)(AX*8), K1, Z6
	VMOVUPD.Z (R10)(AX*8), K1, Z7
	VSUBPD    Z3, Z4, Z4 // lo − q
	VSUBPD    Z5, Z3, Z5 // q − hi
	VSUBPD    Z3, Z6, Z6
	VSUBPD    Z7, Z3, Z7
	VMAXPD    Z5, Z4, Z4
	VMAXPD    Z7, Z6, Z6
	VMAXPD    Z2, Z4, Z4
	VMAXPD    Z2, Z6, Z6
	VMULPD    Z4, Z4, Z4
	VMULPD    Z6, Z6, Z6
	VADDPD    Z4, Z0, Z0
	VADDPD    Z6, Z1, Z1
	ADDQ      $8, AX
	JMP       bcolumns

bsum:
	VEXTRACTF64X4 $1, Z0, Y3
	VEXTRACTF64X4 $1, Z1, Y4
	VADDPD        Y3, Y0, Y0
	VADDPD        Y4, Y1, Y1
	VEXTRACTF128  $1, Y0, X3
	VEXTRACTF128  $1, Y1, X4
	VADDPD        X3, X0, X0
	VADDPD        X4, X1, X1
	VUNPCKHPD     X0, X0, X3
	VUNPCKHPD     X1, X1, X4
	VADDSD        X3, X0, X0
	VADDSD        X4, X1, X1
	VMOVSD        X0, dl+24(FP)
	VMOVSD        X1, dr+32(FP)
	VZEROUPPER
	RET

// lanes<> is 16 all-ones quadwords, then 16 zero ones: the 32 bytes at
// lanes<>+8·(16 − m + 4g) are the lane mask of group g (rows 4g … 4g+3)
// of a block with m rows (lane j set iff 4g + j < m).
DATA lanes<>+0(SB)/8, $-1
DATA lanes<>+8(SB)/8, $-1
DATA lanes<>+16(SB)/8, $-1
DATA lanes<>+24(SB)/8, $-1
DATA lanes<>+32(SB)/8, $-1
DATA lanes<>+40(SB)/8, $-1
DATA lanes<>+48(SB)/8, $-1
DATA lanes<>+56(SB)/8, $-1
DATA lanes<>+64(SB)/8, $-1
DATA lanes<>+72(SB)/8, $-1
DATA lanes<>+80(SB)/8, $-1
DATA lanes<>+88(SB)/8, $-1
DATA lanes<>+96(SB)/8, $-1
DATA lanes<>+104(SB)/8, $-1
DATA lanes<>+112(SB)/8, $-1
DATA lanes<>+120(SB)/8, $-1
DATA lanes<>+128(SB)/8, $0
DATA lanes<>+136(SB)/8, $0
DATA lanes<>+144(SB)/8, $0
DATA lanes<>+152(SB)/8, $0
DATA lanes<>+160(SB)/8, $0
DATA lanes<>+168(SB)/8, $0
DATA lanes<>+176(SB)/8, $0
DATA lanes<>+184(SB)/8, $0
DATA lanes<>+192(SB)/8, $0
DATA lanes<>+200(SB)/8, $0
DATA lanes<>+208(SB)/8, $0
DATA lanes<>+216(SB)/8, $0
DATA lanes<>+224(SB)/8, $0
DATA lanes<>+232(SB)/8, $0
DATA lanes<>+240(SB)/8, $0
DATA lanes<>+248(SB)/8, $0
GLOBL lanes<>(SB), RODATA|NOPTR, $256

// func leafScanAVX2(xs *float64, l, d int, q *float64, cols *int32, limit float64, live *int32, part *float64) (n, terms int)
//
// kernel.leaf in AVX2: sixteen rows a block in four YMM accumulators of
// four, column by column in the leaf's order, each term (q[cols[c]] − x)²
// one VSUBPD, VMULPD and VADDPD (each rounded, no fused multiply-add).
// Rows past l are loaded as 0 (VMASKMOVPD, which does not read them) and
// their sums start at NaN (all bits set: the complement of their lane
// mask), which stays NaN and is never ≤ limit. After each column the
// compares of the four sums are ORed; when none is set the block ends.
// The survivors' sums go to part (VMASKMOVPD: rows that exist only), their
// indices to live one by one from the bits of the compare masks.
TEXT ·leafScanAVX2(SB), NOSPLIT, $0-80
	MOVQ         xs+0(FP), SI
	MOVQ         l+8(FP), R14
	MOVQ         d+16(FP), DX
	MOVQ         q+24(FP), R8
	MOVQ         cols+32(FP), R9
	VBROADCASTSD limit+40(FP), Y11
	MOVQ         live+48(FP), DI
	VPCMPEQQ     Y15, Y15, Y15 // all ones
	XORQ         AX, AX        // survivors written
	XORQ         BX, BX        // terms summed
	XORQ         R13, R13      // first row of the block

ablock:
	CMPQ R13, R14
	JGE  adone
	// Y7–Y10: the lane masks of the block's four groups of rows.
	MOVQ R14, CX
	SUBQ R13, CX
	CMPQ CX, $16
	JLE  amask
	MOVQ $16, CX

amask:
	MOVQ    $16, R11
	SUBQ    CX, R11
	LEAQ    lanes<>(SB), R12
	LEAQ    (R12)(R11*8), R12
	VMOVDQU (R12), Y7
	VMOVDQU 32(R12), Y8
	VMOVDQU 64(R12), Y9
	VMOVDQU 96(R12), Y10
	VPANDN  Y15, Y7, Y3 // sums: 0 where the row exists, NaN where not
	VPANDN  Y15, Y8, Y4
	VPANDN  Y15, Y9, Y5
	VPANDN  Y15, Y10, Y6
	LEAQ    (SI)(R13*8), R10 // the block in column 0
	XORQ    R11, R11

acolumn:
	MOVLQSX      (R9)(R11*4), R12
	VBROADCASTSD (R8)(R12*8), Y0
	VMASKMOVPD   (R10), Y7, Y1
	VMASKMOVPD   32(R10), Y8, Y2
	VMASKMOVPD   64(R10), Y9, Y12
	VMASKMOVPD   96(R10), Y10, Y13
	VSUBPD       Y1, Y0, Y1
	VSUBPD       Y2, Y0, Y2
	VSUBPD       Y12, Y0, Y12
	VSUBPD       Y13, Y0, Y13
	VMULPD       Y1, Y1, Y1
	VMULPD       Y2, Y2, Y2
	VMULPD       Y12, Y12, Y12
	VMULPD       Y13, Y13, Y13
	VADDPD       Y1, Y3, Y3
	VADDPD       Y2, Y4, Y4
	VADDPD       Y12, Y5, Y5
	VADDPD       Y13, Y6, Y6
	ADDQ         $16, BX
	VCMPPD       $2, Y11, Y3, Y1 // sum ≤ limit (false for NaN)
	VCMPPD       $2, Y11, Y4, Y2
	VCMPPD       $2, Y11, Y5, Y12
	VCMPPD       $2, Y11, Y6, Y13
	VORPD        Y2, Y1, Y14
	VORPD        Y13, Y12, Y0
	VORPD        Y0, Y14, Y14
	VPTEST       Y14, Y14
	JZ           anext              // every row of the block is out
	LEAQ         (R10)(R14*8), R10  // the next column
	INCQ         R11
	CMPQ         R11, DX
	JLT          acolumn

	// The survivors: their sums, and their indices from the bits of the
	// compares (Y1, Y2, Y12, Y13 hold the last column's).
	MOVQ       part+56(FP), R12
	VMASKMOVPD Y3, Y7, (R12)(R13*8)
	VMASKMOVPD Y4, Y8, 32(R12)(R13*8)
	VMASKMOVPD Y5, Y9, 64(R12)(R13*8)
	VMASKMOVPD Y6, Y10, 96(R12)(R13*8)
	VMOVMSKPD  Y1, R12
	VMOVMSKPD  Y2, R11
	SHLL       $4, R11
	ORL        R11, R12
	VMOVMSKPD  Y12, R11
	SHLL       $8, R11
	ORL        R11, R12
	VMOVMSKPD  Y13, R11
	SHLL       $12, R11
	ORL        R11, R12

abits:
	TESTL R12, R12
	JZ    anext
	BSFL  R12, CX
	ADDL  R13, CX
	MOVL  CX, (DI)(AX*4)
	INCQ  AX
	LEAL  -1(R12), CX
	ANDL  CX, R12
	JMP   abits

anext:
	ADDQ $16, R13
	JMP  ablock

adone:
	MOVQ AX, n+64(FP)
	MOVQ BX, terms+72(FP)
	VZEROUPPER
	RET

// func boxDist2AVX2(b *float64, qo *float64, d int) (dl, dr float64)
//
// boxDist2AVX512 in AVX2: four columns a step; the last step's columns
// past d are loaded as 0 (VMASKMOVPD), which adds nothing.
TEXT ·boxDist2AVX2(SB), NOSPLIT, $0-40
	MOVQ   b+0(FP), SI
	MOVQ   qo+8(FP), DI
	MOVQ   d+16(FP), DX
	LEAQ   (SI)(DX*8), R8  // hi of the first
	LEAQ   (R8)(DX*8), R9  // lo of the second
	LEAQ   (R9)(DX*8), R10 // hi of the second
	VXORPD Y0, Y0, Y0      // sums of the first
	VXORPD Y1, Y1, Y1      // sums of the second
	VXORPD Y2, Y2, Y2      // zero
	LEAQ   lanes<>(SB), R12
	XORQ   AX, AX

dcolumns:
	CMPQ AX, DX
	JGE  dsum
	// Y8: lanes of columns AX … AX+3 that exist.
	MOVQ       DX, CX
	SUBQ       AX, CX
	CMPQ       CX, $4
	JLE        dmask
	MOVQ       $4, CX

dmask:
	MOVQ       $16, R11
	SUBQ       CX, R11
	VMOVDQU    (R12)(R11*8), Y8
	VMASKMOVPD (DI)(AX*8), Y8, Y3
	VMASKMOVPD (SI)(AX*8), Y8, Y4
	VMASKMOVPD (R8)(AX*8), Y8, Y5
	VMASKMOVPD (R9)(AX*8), Y8, Y6
	VMASKMOVPD (R10)(AX*8), Y8, Y7
	VSUBPD     Y3, Y4, Y4 // lo − q
	VSUBPD     Y5, Y3, Y5 // q − hi
	VSUBPD     Y3, Y6, Y6
	VSUBPD     Y7, Y3, Y7
	VMAXPD     Y5, Y4, Y4
	VMAXPD     Y7, Y6, Y6
	VMAXPD     Y2, Y4, Y4
	VMAXPD     Y2, Y6, Y6
	VMULPD     Y4, Y4, Y4
	VMULPD     Y6, Y6, Y6
	VADDPD     Y4, Y0, Y0
	VADDPD     Y6, Y1, Y1
	ADDQ       $4, AX
	JMP        dcolumns

dsum:
	VEXTRACTF128 $1, Y0, X3
	VEXTRACTF128 $1, Y1, X4
	VADDPD       X3, X0, X0
	VADDPD       X4, X1, X1
	VUNPCKHPD    X0, X0, X3
	VUNPCKHPD    X1, X1, X4
	VADDSD       X3, X0, X0
	VADDSD       X4, X1, X1
	VMOVSD       X0, dl+24(FP)
	VMOVSD       X1, dr+32(FP)
	VZEROUPPER
	RET
