package index
import ("testing";"syscall";"time";"os")
func cpuNow() time.Duration { var r syscall.Rusage; syscall.Getrusage(0, &r); return time.Duration(r.Utime.Nano()+r.Stime.Nano()) }
func TestScratchCPU(t *testing.T){
 if os.Getenv("SCRATCH")=="" { t.Skip() }
 msgs := syntheticMessages(benchMessages)
 b := &testing.B{}
 var bw, bc, ow, oc time.Duration
 for i:=0;i<3;i++{
  c0:=cpuNow(); w:=runBaseline(b, t.TempDir(), msgs); bc+=cpuNow()-c0; bw+=w
  c0=cpuNow(); w=runIndex(b, t.TempDir(), msgs); oc+=cpuNow()-c0; ow+=w
 }
 t.Logf("baseline wall %v cpu %v | ours wall %v cpu %v | cpu ratio %.3f wall ratio %.3f", bw/3, bc/3, ow/3, oc/3, float64(bc)/float64(oc), float64(bw)/float64(ow))
}
func BenchmarkScratchOurs(b *testing.B) { msgs := syntheticMessages(benchMessages); for b.Loop() { runIndex(b, b.TempDir(), msgs) } }
func BenchmarkScratchBase(b *testing.B) { msgs := syntheticMessages(benchMessages); for b.Loop() { runBaseline(b, b.TempDir(), msgs) } }
