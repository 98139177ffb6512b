package vault

import (
	"sync"

	"chatseal/catalog"
)

// indexer adds committed segments to the search index in the background,
// so that indexing, the slowest step of an import, overlaps with parsing,
// spooling and sealing the next messages. It keeps at most one batch of
// segments waiting, which bounds memory and makes a fast reader wait for
// the index.
//
// A segment is marked indexed only after its messages are in the index, so
// a crash loses no index work that recover would not redo.
type indexer struct {
	v     *Vault
	queue chan []catalog.SegmentCommit
	idle  sync.WaitGroup

	mu struct {
		sync.Mutex
		err error
	}
	stopped chan struct{}
}

func newIndexer(v *Vault) *indexer {
	x := &indexer{v: v, queue: make(chan []catalog.SegmentCommit, 1), stopped: make(chan struct{})}
	go x.run()
	return x
}

func (x *indexer) run() {
	defer close(x.stopped)
	for segs := range x.queue {
		if x.failure() == nil {
			if err := x.v.indexSegments(segs); err != nil {
				x.v.log.Error("indexing failed; the segments stay unmarked and are indexed again at the next open", "segments", len(segs), "err", err)
				x.mu.Lock()
				x.mu.err = err
				x.mu.Unlock()
			}
		}
		x.idle.Done()
	}
}

// enqueue hands segments to the indexer, waiting while a batch is waiting.
func (x *indexer) enqueue(segs []catalog.SegmentCommit) {
	x.idle.Add(1)
	x.queue <- segs
}

// wait blocks until every enqueued segment is indexed and returns the first
// indexing error.
func (x *indexer) wait() error {
	x.idle.Wait()
	return x.failure()
}

func (x *indexer) failure() error {
	x.mu.Lock()
	defer x.mu.Unlock()
	return x.mu.err
}

// stop waits for the queue to drain and ends the goroutine.
func (x *indexer) stop() error {
	close(x.queue)
	<-x.stopped
	return x.failure()
}
