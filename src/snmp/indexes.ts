// Row numbers that stay put: a virtual service, real server or link keeps the index it got when
// first seen for as long as pivsd runs, so a manager's row does not change meaning when another
// row is added or removed. Indexes are never reused.
export class IndexAllocator {
  private readonly byKey = new Map<string, number>();
  private next = 1;

  indexOf(key: string): number {
    let index = this.byKey.get(key);
    if (index === undefined) {
      index = this.next++;
      this.byKey.set(key, index);
    }
    return index;
  }
}
