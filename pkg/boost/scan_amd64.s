//go:build !purego

#include "textflag.h"

// func scanBins(hist *hbin, n, step int, G, H, lambda, mcw float64, root, best float32) (k int, loss float32, bG, bH, tG, tH float64)
//
// The split scan of evalBins for reg_alpha 0 and min_child_weight > 0:
// (g, h) accumulate with one ADDPD, both sides' H are checked against
// min_child_weight with one CMPPD, and both sides' G*G/(H+lambda) take one
// MULPD, ADDPD, DIVPD and CVTPD2PS; then the float32 sum of the two sides
// minus root, compared with the best loss so far: the same IEEE
// operations as the Go loop (a float32 sum does not depend on its order).
// Empty bins are not skipped: their split has the sums, hence the loss,
// of the one before, which cannot be strictly better.
TEXT ·scanBins(SB), NOSPLIT, $0-112
	MOVQ   hist+0(FP), SI
	MOVQ   n+8(FP), CX
	MOVQ   step+16(FP), DX
	MOVSD  G+24(FP), X0
	MOVHPD H+32(FP), X0 // X0 = (G, H)
	MOVSD  lambda+40(FP), X1
	UNPCKLPD X1, X1 // X1 = (lambda, lambda)
	MOVSD  mcw+48(FP), X2
	UNPCKLPD X2, X2 // X2 = (mcw, mcw)
	MOVSS  root+56(FP), X4
	MOVSS  best+60(FP), X5
	XORPD  X3, X3 // X3 = accumulated (g, h)
	XORPD  X6, X6 // X6 = accumulated (g, h) at the best split
	MOVQ   $-1, R8
	XORQ   AX, AX
	TESTQ  CX, CX
	JLE    done

loop:
	MOVUPD (SI), X7
	ADDPD  X7, X3
	MOVAPD X0, X8
	SUBPD  X3, X8 // X8 = the other side
	MOVAPD X3, X9
	UNPCKHPD X8, X9 // X9 = (acc H, other H)
	MOVAPD X2, X12
	CMPPD  X9, X12, $2 // mcw <= H, each side
	MOVMSKPD X12, BX
	CMPQ   BX, $3
	JNE    next
	MOVAPD X3, X10
	UNPCKLPD X8, X10 // X10 = (acc G, other G)
	ADDPD  X1, X9
	MULPD  X10, X10
	DIVPD  X9, X10
	CVTPD2PS X10, X10
	PSHUFD $0x55, X10, X11
	ADDSS  X11, X10
	SUBSS  X4, X10
	UCOMISS X5, X10
	JBE    next
	MOVSS  X10, X5
	MOVQ   AX, R8
	MOVAPD X3, X6

next:
	ADDQ DX, SI
	INCQ AX
	CMPQ AX, CX
	JLT  loop

done:
	MOVQ   R8, k+64(FP)
	MOVSS  X5, loss+72(FP)
	MOVSD  X6, bG+80(FP)
	MOVHPD X6, bH+88(FP)
	MOVSD  X3, tG+96(FP)
	MOVHPD X3, tH+104(FP)
	RET

// func subHist(dst, src *hbin, n int)
//
// dst[i] -= src[i] for n bins: each bin's (g, h) with one SUBPD, the same
// two IEEE subtractions as the Go loop, four bins a step.
TEXT ·subHist(SB), NOSPLIT, $0-24
	MOVQ dst+0(FP), DI
	MOVQ src+8(FP), SI
	MOVQ n+16(FP), CX
	MOVQ CX, DX
	ANDQ $-4, DX
	SHLQ $4, DX
	ADDQ DI, DX // end of the steps of four
	SHLQ $4, CX
	ADDQ DI, CX // end

four:
	CMPQ   DI, DX
	JAE    one
	MOVUPD (DI), X0
	MOVUPD 16(DI), X1
	MOVUPD 32(DI), X2
	MOVUPD 48(DI), X3
	MOVUPD (SI), X4
	MOVUPD 16(SI), X5
	MOVUPD 32(SI), X6
	MOVUPD 48(SI), X7
	SUBPD  X4, X0
	SUBPD  X5, X1
	SUBPD  X6, X2
	SUBPD  X7, X3
	MOVUPD X0, (DI)
	MOVUPD X1, 16(DI)
	MOVUPD X2, 32(DI)
	MOVUPD X3, 48(DI)
	ADDQ   $64, DI
	ADDQ   $64, SI
	JMP    four

one:
	CMPQ   DI, CX
	JAE    done
	MOVUPD (DI), X0
	MOVUPD (SI), X4
	SUBPD  X4, X0
	MOVUPD X0, (DI)
	ADDQ   $16, DI
	ADDQ   $16, SI
	JMP    one

done:
	RET
