;; convproof's WebAssembly SIMD micro-kernels (f64x2).
;;
;; Both compute a block of C (+)= A · B where B is read *indirectly*: row k of
;; B starts at byte address b + off[k]. With off[k] = the input offset of tap k
;; this is a convolution without an im2col copy ("implicit GEMM"); with
;; off[k] = k · rowBytes it is a plain GEMM. Every element is a float64 and
;; every product is added in k order, one mul then one add (WebAssembly never
;; fuses them), exactly like the JavaScript fallback in ../kernels.ts, so the
;; two give bit-identical results.
;;
;; Assembled by scripts/assemble-wasm.mjs into kernels.generated.ts (base64).
(module
  (memory (export "memory") 1)

  ;; C[4·rb + r][p] (+)= Σ_k A[rb][k][r] · B[k][p], for rb < blocks, r < 4, p < cols.
  ;;   a      A panels: block rb at a + rb·K·32, then 4 f64 per k (rows r = 0..3)
  ;;   b, off B row k: the f64s at b + off[k] (off: K i32 byte offsets at `off`)
  ;;   c, ldc C row j at c + j·ldc bytes
  ;;   cols   columns per row, a multiple of 4
  ;;   init   0: start from zero; 1: add into the C already there
  (func (export "gemm4")
    (param $a i32) (param $b i32) (param $off i32) (param $c i32)
    (param $blocks i32) (param $K i32) (param $cols i32) (param $ldc i32) (param $init i32)
    (local $rb i32) (local $p i32) (local $k i32)
    (local $ap i32) (local $op i32) (local $bp i32) (local $src i32) (local $cp i32)
    (local $x v128) (local $y0 v128) (local $y1 v128)
    (local $c00 v128) (local $c01 v128) (local $c10 v128) (local $c11 v128)
    (local $c20 v128) (local $c21 v128) (local $c30 v128) (local $c31 v128)
    (block $done_rb (loop $each_rb
      (br_if $done_rb (i32.ge_u (local.get $rb) (local.get $blocks)))
      (local.set $p (i32.const 0))
      (block $done_p (loop $each_p
        (br_if $done_p (i32.ge_u (local.get $p) (local.get $cols)))
        ;; cp = &C[4·rb][p]
        (local.set $cp (i32.add (local.get $c)
          (i32.add (i32.mul (i32.shl (local.get $rb) (i32.const 2)) (local.get $ldc))
                   (i32.shl (local.get $p) (i32.const 3)))))
        (if (local.get $init)
          (then
            (local.set $c00 (v128.load (local.get $cp)))
            (local.set $c01 (v128.load offset=16 (local.get $cp)))
            (local.set $cp (i32.add (local.get $cp) (local.get $ldc)))
            (local.set $c10 (v128.load (local.get $cp)))
            (local.set $c11 (v128.load offset=16 (local.get $cp)))
            (local.set $cp (i32.add (local.get $cp) (local.get $ldc)))
            (local.set $c20 (v128.load (local.get $cp)))
            (local.set $c21 (v128.load offset=16 (local.get $cp)))
            (local.set $cp (i32.add (local.get $cp) (local.get $ldc)))
            (local.set $c30 (v128.load (local.get $cp)))
            (local.set $c31 (v128.load offset=16 (local.get $cp))))
          (else
            (local.set $c00 (v128.const i64x2 0 0)) (local.set $c01 (v128.const i64x2 0 0))
            (local.set $c10 (v128.const i64x2 0 0)) (local.set $c11 (v128.const i64x2 0 0))
            (local.set $c20 (v128.const i64x2 0 0)) (local.set $c21 (v128.const i64x2 0 0))
            (local.set $c30 (v128.const i64x2 0 0)) (local.set $c31 (v128.const i64x2 0 0))))
        (local.set $ap (i32.add (local.get $a) (i32.mul (local.get $rb) (i32.shl (local.get $K) (i32.const 5)))))
        (local.set $op (local.get $off))
        (local.set $bp (i32.add (local.get $b) (i32.shl (local.get $p) (i32.const 3))))
        (local.set $k (local.get $K))
        (block $done_k (loop $each_k
          (br_if $done_k (i32.eqz (local.get $k)))
          (local.set $src (i32.add (local.get $bp) (i32.load (local.get $op))))
          (local.set $y0 (v128.load (local.get $src)))
          (local.set $y1 (v128.load offset=16 (local.get $src)))
          (local.set $x (v128.load64_splat (local.get $ap)))
          (local.set $c00 (f64x2.add (local.get $c00) (f64x2.mul (local.get $x) (local.get $y0))))
          (local.set $c01 (f64x2.add (local.get $c01) (f64x2.mul (local.get $x) (local.get $y1))))
          (local.set $x (v128.load64_splat offset=8 (local.get $ap)))
          (local.set $c10 (f64x2.add (local.get $c10) (f64x2.mul (local.get $x) (local.get $y0))))
          (local.set $c11 (f64x2.add (local.get $c11) (f64x2.mul (local.get $x) (local.get $y1))))
          (local.set $x (v128.load64_splat offset=16 (local.get $ap)))
          (local.set $c20 (f64x2.add (local.get $c20) (f64x2.mul (local.get $x) (local.get $y0))))
          (local.set $c21 (f64x2.add (local.get $c21) (f64x2.mul (local.get $x) (local.get $y1))))
          (local.set $x (v128.load64_splat offset=24 (local.get $ap)))
          (local.set $c30 (f64x2.add (local.get $c30) (f64x2.mul (local.get $x) (local.get $y0))))
          (local.set $c31 (f64x2.add (local.get $c31) (f64x2.mul (local.get $x) (local.get $y1))))
          (local.set $ap (i32.add (local.get $ap) (i32.const 32)))
          (local.set $op (i32.add (local.get $op) (i32.const 4)))
          (local.set $k (i32.sub (local.get $k) (i32.const 1)))
          (br $each_k)))
        (local.set $cp (i32.add (local.get $c)
          (i32.add (i32.mul (i32.shl (local.get $rb) (i32.const 2)) (local.get $ldc))
                   (i32.shl (local.get $p) (i32.const 3)))))
        (v128.store (local.get $cp) (local.get $c00))
        (v128.store offset=16 (local.get $cp) (local.get $c01))
        (local.set $cp (i32.add (local.get $cp) (local.get $ldc)))
        (v128.store (local.get $cp) (local.get $c10))
        (v128.store offset=16 (local.get $cp) (local.get $c11))
        (local.set $cp (i32.add (local.get $cp) (local.get $ldc)))
        (v128.store (local.get $cp) (local.get $c20))
        (v128.store offset=16 (local.get $cp) (local.get $c21))
        (local.set $cp (i32.add (local.get $cp) (local.get $ldc)))
        (v128.store (local.get $cp) (local.get $c30))
        (v128.store offset=16 (local.get $cp) (local.get $c31))
        (local.set $p (i32.add (local.get $p) (i32.const 4)))
        (br $each_p)))
      (local.set $rb (i32.add (local.get $rb) (i32.const 1)))
      (br $each_rb)))
  )

  ;; One row: C[p] (+)= Σ_k A[k] · B[k][p] for p < cols (a multiple of 8).
  ;; Eight columns at a time keep four independent add chains in flight.
  (func (export "gemm1")
    (param $a i32) (param $b i32) (param $off i32) (param $c i32)
    (param $K i32) (param $cols i32) (param $init i32)
    (local $p i32) (local $k i32) (local $ap i32) (local $op i32) (local $bp i32) (local $src i32) (local $cp i32)
    (local $x v128) (local $c0 v128) (local $c1 v128) (local $c2 v128) (local $c3 v128)
    (block $done_p (loop $each_p
      (br_if $done_p (i32.ge_u (local.get $p) (local.get $cols)))
      (local.set $cp (i32.add (local.get $c) (i32.shl (local.get $p) (i32.const 3))))
      (if (local.get $init)
        (then
          (local.set $c0 (v128.load (local.get $cp)))
          (local.set $c1 (v128.load offset=16 (local.get $cp)))
          (local.set $c2 (v128.load offset=32 (local.get $cp)))
          (local.set $c3 (v128.load offset=48 (local.get $cp))))
        (else
          (local.set $c0 (v128.const i64x2 0 0)) (local.set $c1 (v128.const i64x2 0 0))
          (local.set $c2 (v128.const i64x2 0 0)) (local.set $c3 (v128.const i64x2 0 0))))
      (local.set $ap (local.get $a))
      (local.set $op (local.get $off))
      (local.set $bp (i32.add (local.get $b) (i32.shl (local.get $p) (i32.const 3))))
      (local.set $k (local.get $K))
      (block $done_k (loop $each_k
        (br_if $done_k (i32.eqz (local.get $k)))
        (local.set $src (i32.add (local.get $bp) (i32.load (local.get $op))))
        (local.set $x (v128.load64_splat (local.get $ap)))
        (local.set $c0 (f64x2.add (local.get $c0) (f64x2.mul (local.get $x) (v128.load (local.get $src)))))
        (local.set $c1 (f64x2.add (local.get $c1) (f64x2.mul (local.get $x) (v128.load offset=16 (local.get $src)))))
        (local.set $c2 (f64x2.add (local.get $c2) (f64x2.mul (local.get $x) (v128.load offset=32 (local.get $src)))))
        (local.set $c3 (f64x2.add (local.get $c3) (f64x2.mul (local.get $x) (v128.load offset=48 (local.get $src)))))
        (local.set $ap (i32.add (local.get $ap) (i32.const 8)))
        (local.set $op (i32.add (local.get $op) (i32.const 4)))
        (local.set $k (i32.sub (local.get $k) (i32.const 1)))
        (br $each_k)))
      (v128.store (local.get $cp) (local.get $c0))
      (v128.store offset=16 (local.get $cp) (local.get $c1))
      (v128.store offset=32 (local.get $cp) (local.get $c2))
      (v128.store offset=48 (local.get $cp) (local.get $c3))
      (local.set $p (i32.add (local.get $p) (i32.const 8)))
      (br $each_p)))
  )

  ;; Copies `rows` rows of `len` f64s (row r at src + r·srcStride bytes) to
  ;; dst + r·dstStride, as float32 (rounded once, to nearest) when `narrow`
  ;; is 1 and as float64 otherwise: how a finished tile leaves the workspace.
  (func (export "pack")
    (param $src i32) (param $srcStride i32) (param $dst i32) (param $dstStride i32)
    (param $rows i32) (param $len i32) (param $narrow i32)
    (local $r i32) (local $j i32) (local $s i32) (local $d i32)
    (block $done_r (loop $each_r
      (br_if $done_r (i32.ge_u (local.get $r) (local.get $rows)))
      (local.set $s (i32.add (local.get $src) (i32.mul (local.get $r) (local.get $srcStride))))
      (local.set $d (i32.add (local.get $dst) (i32.mul (local.get $r) (local.get $dstStride))))
      (local.set $j (local.get $len))
      (if (local.get $narrow)
        (then
          (block $done_n (loop $each_n
            (br_if $done_n (i32.eqz (local.get $j)))
            (f32.store (local.get $d) (f32.demote_f64 (f64.load (local.get $s))))
            (local.set $s (i32.add (local.get $s) (i32.const 8)))
            (local.set $d (i32.add (local.get $d) (i32.const 4)))
            (local.set $j (i32.sub (local.get $j) (i32.const 1)))
            (br $each_n))))
        (else
          (block $done_w (loop $each_w
            (br_if $done_w (i32.eqz (local.get $j)))
            (f64.store (local.get $d) (f64.load (local.get $s)))
            (local.set $s (i32.add (local.get $s) (i32.const 8)))
            (local.set $d (i32.add (local.get $d) (i32.const 8)))
            (local.set $j (i32.sub (local.get $j) (i32.const 1)))
            (br $each_w)))))
      (local.set $r (i32.add (local.get $r) (i32.const 1)))
      (br $each_r)))
  )

  ;; The index-map walks. Tables are i32 element offsets, −1 for a zero
  ;; (padding) tap: rows[i·KH + kh] = source row · row length, cols[kw·outW + j]
  ;; = source column. `shift` is log2 of the source element size (2: f32, 3: f64).

  ;; One padded phase image: dst[r][q] = src[rows[r] + cols[q]], 0 where either is −1.
  (func (export "gather")
    (param $dst i32) (param $src i32) (param $shift i32)
    (param $rows i32) (param $nr i32) (param $cols i32) (param $nc i32)
    (local $r i32) (local $ro i32) (local $d i32)
    (local.set $d (local.get $dst))
    (block $done_r (loop $each_r
      (br_if $done_r (i32.ge_u (local.get $r) (local.get $nr)))
      (local.set $ro (i32.load (i32.add (local.get $rows) (i32.shl (local.get $r) (i32.const 2)))))
      (call $row (local.get $d) (i32.const 8) (local.get $src) (local.get $ro) (local.get $cols) (local.get $nc) (local.get $shift))
      (local.set $d (i32.add (local.get $d) (i32.shl (local.get $nc) (i32.const 3))))
      (local.set $r (i32.add (local.get $r) (i32.const 1)))
      (br $each_r)))
  )

  ;; One gathered row: dst[j·step] = src[ro + cols[j]] as f64 for j < n, 0 where
  ;; ro or cols[j] is −1. The source type is chosen once per row, not per element.
  (func $row
    (param $dst i32) (param $step i32) (param $src i32) (param $ro i32) (param $cols i32) (param $n i32) (param $shift i32)
    (local $co i32) (local $ok i32) (local $end i32)
    (local.set $end (i32.add (local.get $cols) (i32.shl (local.get $n) (i32.const 2))))
    (if (i32.lt_s (local.get $ro) (i32.const 0))
      (then
        (block $done_z (loop $each_z
          (br_if $done_z (i32.ge_u (local.get $cols) (local.get $end)))
          (f64.store (local.get $dst) (f64.const 0))
          (local.set $dst (i32.add (local.get $dst) (local.get $step)))
          (local.set $cols (i32.add (local.get $cols) (i32.const 4)))
          (br $each_z)))
        (return)))
    (if (i32.eq (local.get $shift) (i32.const 2))
      (then
        (local.set $src (i32.add (local.get $src) (i32.shl (local.get $ro) (i32.const 2))))
        (block $done_4 (loop $each_4
          (br_if $done_4 (i32.ge_u (local.get $cols) (local.get $end)))
          (local.set $co (i32.load (local.get $cols)))
          ;; A −1 column reads the row's first element (in bounds); the select drops it.
          (local.set $ok (i32.ge_s (local.get $co) (i32.const 0)))
          (local.set $co (select (local.get $co) (i32.const 0) (local.get $ok)))
          (f64.store (local.get $dst)
            (select
              (f64.promote_f32 (f32.load (i32.add (local.get $src) (i32.shl (local.get $co) (i32.const 2)))))
              (f64.const 0)
              (local.get $ok)))
          (local.set $dst (i32.add (local.get $dst) (local.get $step)))
          (local.set $cols (i32.add (local.get $cols) (i32.const 4)))
          (br $each_4))))
      (else
        (local.set $src (i32.add (local.get $src) (i32.shl (local.get $ro) (i32.const 3))))
        (block $done_8 (loop $each_8
          (br_if $done_8 (i32.ge_u (local.get $cols) (local.get $end)))
          (local.set $co (i32.load (local.get $cols)))
          ;; A −1 column reads the row's first element (in bounds); the select drops it.
          (local.set $ok (i32.ge_s (local.get $co) (i32.const 0)))
          (local.set $co (select (local.get $co) (i32.const 0) (local.get $ok)))
          (f64.store (local.get $dst)
            (select
              (f64.load (i32.add (local.get $src) (i32.shl (local.get $co) (i32.const 3))))
              (f64.const 0)
              (local.get $ok)))
          (local.set $dst (i32.add (local.get $dst) (local.get $step)))
          (local.set $cols (i32.add (local.get $cols) (i32.const 4)))
          (br $each_8)))))
  )

  ;; Transposed im2col of a tile: for tap t = (c, kh, kw) and position
  ;; p = i·outW + j, A[t >> 2][p][t & 3] = x[c][rows[i·KH + kh] + cols[kw·outW + j]]
  ;; (0 for a padding tap). x: channel c at src + c·plane bytes.
  (func (export "im2col")
    (param $a i32) (param $src i32) (param $plane i32) (param $shift i32)
    (param $C i32) (param $KH i32) (param $KW i32) (param $count i32) (param $outW i32)
    (param $rows i32) (param $cols i32)
    (local $t i32) (local $c i32) (local $kh i32) (local $kw i32) (local $i i32)
    (local $ro i32) (local $at i32) (local $x i32) (local $ct i32) (local $cnt32 i32)
    (local.set $cnt32 (i32.shl (i32.mul (local.get $count) (local.get $outW)) (i32.const 5)))
    (block $done_c (loop $each_c
      (br_if $done_c (i32.ge_u (local.get $c) (local.get $C)))
      (local.set $x (i32.add (local.get $src) (i32.mul (local.get $c) (local.get $plane))))
      (local.set $kh (i32.const 0))
      (block $done_kh (loop $each_kh
        (br_if $done_kh (i32.ge_u (local.get $kh) (local.get $KH)))
        (local.set $kw (i32.const 0))
        (block $done_kw (loop $each_kw
          (br_if $done_kw (i32.ge_u (local.get $kw) (local.get $KW)))
          (local.set $ct (i32.add (local.get $cols) (i32.shl (i32.mul (local.get $kw) (local.get $outW)) (i32.const 2))))
          ;; at = &A[t >> 2][0][t & 3]
          (local.set $at (i32.add (local.get $a)
            (i32.add (i32.mul (i32.shr_u (local.get $t) (i32.const 2)) (local.get $cnt32))
                     (i32.shl (i32.and (local.get $t) (i32.const 3)) (i32.const 3)))))
          (local.set $i (i32.const 0))
          (block $done_i (loop $each_i
            (br_if $done_i (i32.ge_u (local.get $i) (local.get $count)))
            (local.set $ro (i32.load (i32.add (local.get $rows)
              (i32.shl (i32.add (i32.mul (local.get $i) (local.get $KH)) (local.get $kh)) (i32.const 2)))))
            (call $row (local.get $at) (i32.const 32) (local.get $x) (local.get $ro) (local.get $ct) (local.get $outW) (local.get $shift))
            (local.set $at (i32.add (local.get $at) (i32.shl (local.get $outW) (i32.const 5))))
            (local.set $i (i32.add (local.get $i) (i32.const 1)))
            (br $each_i)))
          (local.set $t (i32.add (local.get $t) (i32.const 1)))
          (local.set $kw (i32.add (local.get $kw) (i32.const 1)))
          (br $each_kw)))
        (local.set $kh (i32.add (local.get $kh) (i32.const 1)))
        (br $each_kh)))
      (local.set $c (i32.add (local.get $c) (i32.const 1)))
      (br $each_c)))
  )

  ;; col2im of a tile: for tap t = (c, kh, kw) and position p = i·outW + j,
  ;; gx[c][rows[i·KH + kh] + cols[kw·outW + j]] += dCol[t][p] (real taps only).
  ;; gx: channel c at gx + c·plane bytes (f64); dCol row t at dcol + t·ld bytes.
  (func (export "col2im")
    (param $gx i32) (param $plane i32) (param $dcol i32) (param $ld i32)
    (param $C i32) (param $KH i32) (param $KW i32) (param $count i32) (param $outW i32)
    (param $rows i32) (param $cols i32)
    (local $t i32) (local $c i32) (local $kh i32) (local $kw i32) (local $i i32) (local $j i32)
    (local $ro i32) (local $co i32) (local $src i32) (local $dst i32) (local $ct i32)
    (block $done_c (loop $each_c
      (br_if $done_c (i32.ge_u (local.get $c) (local.get $C)))
      (local.set $kh (i32.const 0))
      (block $done_kh (loop $each_kh
        (br_if $done_kh (i32.ge_u (local.get $kh) (local.get $KH)))
        (local.set $kw (i32.const 0))
        (block $done_kw (loop $each_kw
          (br_if $done_kw (i32.ge_u (local.get $kw) (local.get $KW)))
          (local.set $ct (i32.add (local.get $cols) (i32.shl (i32.mul (local.get $kw) (local.get $outW)) (i32.const 2))))
          (local.set $src (i32.add (local.get $dcol) (i32.mul (local.get $t) (local.get $ld))))
          (local.set $i (i32.const 0))
          (block $done_i (loop $each_i
            (br_if $done_i (i32.ge_u (local.get $i) (local.get $count)))
            (local.set $ro (i32.load (i32.add (local.get $rows)
              (i32.shl (i32.add (i32.mul (local.get $i) (local.get $KH)) (local.get $kh)) (i32.const 2)))))
            (if (i32.ge_s (local.get $ro) (i32.const 0))
              (then
                (local.set $dst (i32.add (i32.add (local.get $gx) (i32.mul (local.get $c) (local.get $plane)))
                                         (i32.shl (local.get $ro) (i32.const 3))))
                (local.set $j (i32.const 0))
                (block $done_j (loop $each_j
                  (br_if $done_j (i32.ge_u (local.get $j) (local.get $outW)))
                  (local.set $co (i32.load (i32.add (local.get $ct) (i32.shl (local.get $j) (i32.const 2)))))
                  (if (i32.ge_s (local.get $co) (i32.const 0))
                    (then
                      (f64.store (i32.add (local.get $dst) (i32.shl (local.get $co) (i32.const 3)))
                        (f64.add
                          (f64.load (i32.add (local.get $dst) (i32.shl (local.get $co) (i32.const 3))))
                          (f64.load (i32.add (local.get $src) (i32.shl (local.get $j) (i32.const 3))))))))
                  (local.set $j (i32.add (local.get $j) (i32.const 1)))
                  (br $each_j)))))
            (local.set $src (i32.add (local.get $src) (i32.shl (local.get $outW) (i32.const 3))))
            (local.set $i (i32.add (local.get $i) (i32.const 1)))
            (br $each_i)))
          (local.set $t (i32.add (local.get $t) (i32.const 1)))
          (local.set $kw (i32.add (local.get $kw) (i32.const 1)))
          (br $each_kw)))
        (local.set $kh (i32.add (local.get $kh) (i32.const 1)))
        (br $each_kh)))
      (local.set $c (i32.add (local.get $c) (i32.const 1)))
      (br $each_c)))
  )
)
