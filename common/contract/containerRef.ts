/**
 * One container of one pod of one cluster: where a terminal runs, what a files pane browses, what a deep
 * link names. Its own module because terminals, files and links all use it and none of them owns it.
 */
export interface ContainerRef {
  context: string;
  namespace: string;
  pod: string;
  container: string;
}
