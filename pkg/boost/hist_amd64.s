//go:build !purego

#include "textflag.h"

// func addRows8(bins *uint8, ncol uintptr, sel *selCol, nsel uintptr, rows *int32, nrows uintptr, gp *gpair, hist *hbin, ahead uintptr)
//
// addRows for one-byte bins: each (g, h) pair is widened to two float64
// at once (CVTPS2PD) and added to its bin with one ADDPD, the same two
// IEEE additions as the Go loop in the same order; four features a step,
// then the last nsel%4 one at a time. While more than ahead rows remain,
// the bins and gradient of the row ahead rows on are prefetched first.
TEXT ·addRows8(SB), NOSPLIT, $0-72
	MOVQ bins+0(FP), SI
	MOVQ ncol+8(FP), R9
	MOVQ sel+16(FP), R10
	MOVQ nsel+24(FP), R11
	MOVQ rows+32(FP), R12
	MOVQ nrows+40(FP), R13
	MOVQ gp+48(FP), BX
	MOVQ hist+56(FP), DI
	MOVQ ahead+64(FP), R8
	SHLQ $4, R11 // bytes of sel
	TESTQ R11, R11
	JZ   done
	TESTQ R13, R13
	JZ   done
	MOVQ R11, R14
	ANDQ $-64, R14 // bytes of sel in steps of four

rowloop:
	CMPQ R13, R8
	JBE  nopf
	MOVLQSX    (R12)(R8*4), DX
	PREFETCHT0 (BX)(DX*8)
	IMULQ      R9, DX
	ADDQ       SI, DX
	PREFETCHT0 (DX)
	PREFETCHT0 -1(DX)(R9*1)

nopf:
	MOVLQSX (R12), AX
	CVTPS2PD (BX)(AX*8), X0
	IMULQ R9, AX
	ADDQ  SI, AX
	XORQ  CX, CX
	TESTQ R14, R14
	JZ    tail

selloop:
	MOVQ    (R10)(CX*1), DX
	MOVBQZX (AX)(DX*1), DX
	ADDQ    8(R10)(CX*1), DX
	SHLQ    $4, DX
	MOVUPD  (DI)(DX*1), X1
	ADDPD   X0, X1
	MOVUPD  X1, (DI)(DX*1)

	MOVQ    16(R10)(CX*1), DX
	MOVBQZX (AX)(DX*1), DX
	ADDQ    24(R10)(CX*1), DX
	SHLQ    $4, DX
	MOVUPD  (DI)(DX*1), X2
	ADDPD   X0, X2
	MOVUPD  X2, (DI)(DX*1)

	MOVQ    32(R10)(CX*1), DX
	MOVBQZX (AX)(DX*1), DX
	ADDQ    40(R10)(CX*1), DX
	SHLQ    $4, DX
	MOVUPD  (DI)(DX*1), X3
	ADDPD   X0, X3
	MOVUPD  X3, (DI)(DX*1)

	MOVQ    48(R10)(CX*1), DX
	MOVBQZX (AX)(DX*1), DX
	ADDQ    56(R10)(CX*1), DX
	SHLQ    $4, DX
	MOVUPD  (DI)(DX*1), X4
	ADDPD   X0, X4
	MOVUPD  X4, (DI)(DX*1)

	ADDQ $64, CX
	CMPQ CX, R14
	JB   selloop

tail:
	CMPQ CX, R11
	JAE  nextrow

one:
	MOVQ    (R10)(CX*1), DX
	MOVBQZX (AX)(DX*1), DX
	ADDQ    8(R10)(CX*1), DX
	SHLQ    $4, DX
	MOVUPD  (DI)(DX*1), X1
	ADDPD   X0, X1
	MOVUPD  X1, (DI)(DX*1)
	ADDQ    $16, CX
	CMPQ    CX, R11
	JB      one

nextrow:
	ADDQ $4, R12
	DECQ R13
	JNZ  rowloop

done:
	RET
