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

// func leafScan16(xs *float64, l, d int, q *float64, cols *int32, limit float64, live *int32, part *float64) (n, terms int)
//
// The leaf scan of tree.scan in AVX-512: sixteen rows a block (two ZMM
// accumulators of eight), column by column in the leaf's order, each term
// (q[cols[c]] − x)² one VSUBPD, VMULPD and VADDPD (each rounded, no fused
// multiply-add). After each column the rows of the block whose sum is
// still ≤ limit are a mask; when it is empty the block ends. The rows left
// after the last column are written to live (their indices in the leaf,
// ascending), 16 int32 at a time: live has room for l+16; their sums go to
// part (those of the block's rows that exist). Blocks of 32 rows (four
// accumulators) were no faster.
TEXT ·leafScan16(SB), NOSPLIT, $0-80
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

// func boxDist2(b *float64, q *float64, d int) (dl, dr float64)
//
// kdTree.boxDist of two sibling nodes, whose bounds follow each other
// from b (lo and hi of the first, then of the second; d each), in
// AVX-512: eight columns a step, each term max(lo − q, q − hi, 0)²
// (the same rounded difference as boxDist's, squared), summed lane by
// lane and then across lanes, without boxDist's early return.
TEXT ·boxDist2(SB), NOSPLIT, $0-40
	MOVQ   b+0(FP), SI
	MOVQ   q+8(FP), DI
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
